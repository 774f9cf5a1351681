namespace OpenGrid.Provider.Probe;

/// <summary>
/// Offers <paramref name="capability"/> when <paramref name="program"/> is installed (an absolute path that exists, or
/// a name found on <c>PATH</c>) and <c>program args</c> exits 0, e.g. <c>/usr/bin/python3 -c "import torch"</c>.
/// A program that is not installed is simply absent; one that fails or hangs throws, so the probe logs why.
/// </summary>
public sealed class CommandCapability(string capability, string program, IReadOnlyList<string> args, string? searchPath = null)
    : ICapabilityDetector
{
    /// <summary>Longest a single command may take; the probe's own timeout may be shorter.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    public string Name => capability;

    public async Task<IReadOnlyList<string>> DetectAsync(CancellationToken cancellationToken)
    {
        if (Resolve(program, searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "") is not { } path)
            return [];
        var result = await ProbeProcess.RunAsync(path, args, CommandTimeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new ProbeFailedException($"'{program} {string.Join(' ', args)}' exited with status {result.ExitCode}");
        return [capability];
    }

    /// <summary>The program's full path: itself when absolute, else the first PATH entry that has it; null if none.</summary>
    public static string? Resolve(string program, string searchPath)
    {
        if (Path.IsPathRooted(program))
            return File.Exists(program) ? program : null;
        foreach (var dir in searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }

        return null;
    }
}

/// <summary>Offers <paramref name="capability"/> when <paramref name="path"/> exists (a file or folder a package installs).</summary>
public sealed class FileCapability(string capability, string path) : ICapabilityDetector
{
    public string Name => capability;

    public Task<IReadOnlyList<string>> DetectAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(File.Exists(path) || Directory.Exists(path) ? [capability] : []);
}
