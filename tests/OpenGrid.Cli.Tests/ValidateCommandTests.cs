using System.Text.Json;
using OpenGrid.Testing;

namespace OpenGrid.Cli.Tests;

public sealed class ValidateCommandTests : IDisposable
{
    private const string GoodSpec = """
        apiVersion: opengrid/v1
        kind: Job
        name: greet
        runtime: { kind: process, command: [sh, -c, "echo hi"] }
        resources: { cpu: 500m, memory: 64Mi }
        """;

    // Line 6, column 11 is the value of resources.memory.
    private const string BadSpec = """
        apiVersion: opengrid/v1
        kind: Job
        name: greet
        runtime: { kind: process, command: [sh, -c, "echo hi"] }
        resources:
          memory: 2GB
        """;

    private readonly TempDir _dir = new("og-validate");
    private readonly OgRunner _og;

    public ValidateCommandTests() => _og = new OgRunner(_dir.Path, _dir.Combine("home"));

    [Fact]
    public async Task A_valid_spec_prints_ok_and_its_name_and_exits_0()
    {
        await File.WriteAllTextAsync(_dir.Combine("job.yaml"), GoodSpec);

        var result = await _og.RunAsync("validate", "job.yaml");

        Assert.Equal((0, "ok: greet\n", ""), (result.ExitCode, result.Stdout.ReplaceLineEndings("\n"), result.Stderr));
    }

    [Fact]
    public async Task An_invalid_spec_prints_file_line_column_path_and_message_and_exits_2()
    {
        await File.WriteAllTextAsync(_dir.Combine("bad.yaml"), BadSpec);

        var result = await _og.RunAsync("validate", "bad.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.ReplaceLineEndings("\n").TrimEnd().Split('\n'));
        Assert.StartsWith("bad.yaml:6:11: resources.memory: '2GB' is not a size", line);
    }

    [Fact]
    public async Task An_invalid_spec_with_json_prints_the_errors_as_json_and_exits_2()
    {
        await File.WriteAllTextAsync(_dir.Combine("bad.yaml"), BadSpec);

        var result = await _og.RunAsync("validate", "bad.yaml", "--json");

        Assert.Equal(2, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        var error = Assert.Single(root.GetProperty("errors").EnumerateArray().ToList());
        Assert.Equal(
            (false, "bad.yaml", 6, 11, "resources.memory"),
            (root.GetProperty("valid").GetBoolean(), error.GetProperty("file").GetString(), error.GetProperty("line").GetInt32(),
                error.GetProperty("column").GetInt32(), error.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task A_missing_spec_file_is_one_line_and_exit_2()
    {
        var result = await _og.RunAsync("validate", "nope.yaml");

        Assert.Equal((2, "og: nope.yaml: no such file\n"), (result.ExitCode, result.Stderr.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task Validate_needs_no_coordinator()
    {
        await File.WriteAllTextAsync(_dir.Combine("job.yaml"), GoodSpec);

        var result = await _og.WithVariable("OPENGRID_COORDINATOR", "http://127.0.0.1:1/").RunAsync("validate", "job.yaml");

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task The_hello_example_is_valid()
    {
        var result = await _og.RunAsync("validate", Path.Combine(TestPaths.RepoRoot, "examples", "hello", "job.yaml"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("ok: hello\n", result.Stdout.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Bad_arguments_exit_2_with_one_line_per_error()
    {
        var result = await _og.RunAsync("validate");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("og: ", result.Stderr);
        Assert.Contains("og: see 'og validate --help'", result.Stderr);
    }

    public void Dispose() => _dir.Dispose();
}
