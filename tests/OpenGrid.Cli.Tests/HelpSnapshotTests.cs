using System.CommandLine;
using System.Runtime.CompilerServices;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

/// <summary>
/// Every command's <c>--help</c> against a stored snapshot in Snapshots/ (compared exactly after normalizing line
/// endings and trailing spaces). To accept a deliberate change, run the tests with OG_UPDATE_SNAPSHOTS=1 and review
/// the diff.
/// </summary>
public sealed class HelpSnapshotTests : IDisposable
{
    private readonly TempDir _dir = new("og-help");

    private static readonly string[] CommandNames =
        ["", "dev", "submit", "status", "jobs", "logs", "get", "cancel", "providers", "validate", "verify", "plan", "market", "provider", "provider start", "provider drain",
         "balance", "deposit", "withdraw", "earnings"];

    public static TheoryData<string> Commands() => new(CommandNames);

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_matches_its_snapshot(string command)
    {
        string[] args = [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];
        var result = await new OgRunner(_dir.Path, _dir.Combine("home")).RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        var actual = Normalize(result.Stdout);
        var file = SnapshotPath(command);
        if (Environment.GetEnvironmentVariable("OG_UPDATE_SNAPSHOTS") == "1")
            await File.WriteAllTextAsync(file, actual);
        Assert.True(File.Exists(file), $"no snapshot {file}; run with OG_UPDATE_SNAPSHOTS=1 to create it");
        Assert.Equal(Normalize(await File.ReadAllTextAsync(file)), actual);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_ends_with_examples(string command)
    {
        string[] args = [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];
        var result = await new OgRunner(_dir.Path, _dir.Combine("home")).RunAsync(args);

        Assert.Contains($"{Environment.NewLine}Examples:{Environment.NewLine}  og ", result.Stdout);
    }

    [Fact]
    public void Every_command_has_a_snapshot()
    {
        using var ctx = new CliContext(TextWriter.Null, TextWriter.Null, new OgRunner(_dir.Path, _dir.Path).Environment);
        var all = Walk(CliApp.BuildRoot(ctx), "").ToList();

        Assert.Equal(CommandNames.Order(), all.Order());
    }

    private static IEnumerable<string> Walk(Command command, string path)
    {
        yield return path;
        foreach (var sub in command.Subcommands)
            foreach (var name in Walk(sub, path.Length == 0 ? sub.Name : $"{path} {sub.Name}"))
                yield return name;
    }

    private static string Normalize(string text) =>
        string.Join("\n", text.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd())).TrimEnd() + "\n";

    private static string SnapshotPath(string command, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Snapshots", (command.Length == 0 ? "og" : "og " + command).Replace(' ', '-') + ".txt");

    public void Dispose() => _dir.Dispose();
}
