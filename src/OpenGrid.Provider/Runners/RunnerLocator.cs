namespace OpenGrid.Provider.Runners;

/// <summary>
/// Finds the runners this provider's operator installed: executables named <c>og-&lt;name&gt;</c> in the directories
/// listed, colon-separated, in <c>$OPENGRID_RUNNERS</c> (<c>./og</c> sets it to the runners it built). The sandbox
/// mounts those directories read-only and puts them on the job's PATH (<see cref="RunnerMounts"/>), so a job runs
/// <c>command: [og-llm, …]</c>. See docs/runners.md.
/// </summary>
public static class RunnerLocator
{
    public const string Variable = "OPENGRID_RUNNERS";

    /// <summary>Every runner's file name starts with this.</summary>
    public const string Prefix = "og-";

    /// <summary>The llama.cpp runner; where it is installed the provider can run <c>llm-gguf</c> jobs.</summary>
    public const string Llm = "og-llm";

    /// <summary>The ONNX Runtime image decoder runner; where it is installed the provider can run <c>onnx</c> jobs.</summary>
    public const string Onnx = "og-onnx";

    /// <summary>The existing directories of <c>$OPENGRID_RUNNERS</c>, absolute, in order, each once.</summary>
    public static IReadOnlyList<string> Directories() => Directories(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The existing directories of a <c>$OPENGRID_RUNNERS</c>-style list; relative and missing entries are
    /// left out (the sandbox can only mount absolute paths that exist).</summary>
    public static IReadOnlyList<string> Directories(string? list) =>
        (list ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(d => Path.IsPathFullyQualified(d) && Directory.Exists(d))
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>The runners found, by file name (e.g. <c>og-llm</c>), sorted; the first directory wins a name.</summary>
    public static IReadOnlyList<string> Find() => Find(Directories());

    /// <summary>The runners in <paramref name="directories"/>: executable regular files named <c>og-*</c>.</summary>
    public static IReadOnlyList<string> Find(IEnumerable<string> directories) =>
        directories
            .SelectMany(d => Directory.EnumerateFiles(d, Prefix + "*"))
            .Where(IsExecutable)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Whether the runner <paramref name="name"/> (e.g. <see cref="Llm"/>) is installed.</summary>
    public static bool Has(string name) => Find().Contains(name, StringComparer.Ordinal);

    private static bool IsExecutable(string path)
    {
        var info = new FileInfo(path);
        // The job runs as another user (nobody) behind a read-only mount: it needs the others' execute bit.
        return info.LinkTarget is null && info.Exists && info.UnixFileMode.HasFlag(UnixFileMode.OtherExecute);
    }
}
