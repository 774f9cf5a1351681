namespace OpenGrid.Provider.Runners;

/// <summary>Where runner directories appear inside the sandbox: <c>/opt/opengrid/runners/0</c>, <c>…/1</c>, in the
/// order of <c>$OPENGRID_RUNNERS</c>, read-only, and first on the job's PATH.</summary>
internal static class RunnerMounts
{
    public const string Root = "/opt/opengrid/runners";

    /// <summary>bwrap arguments that mount each host directory read-only at its place under <see cref="Root"/>.</summary>
    public static IReadOnlyList<string> Arguments(IReadOnlyList<string> hostDirectories) =>
        hostDirectories.Count == 0
            ? []
            // bwrap would create the mount point's parents 0700 root: untraversable by the job user.
            : ["--perms", "0755", "--dir", Root,
                .. hostDirectories.SelectMany((directory, i) => new[] { "--ro-bind", directory, SandboxPath(i) })];

    /// <summary>The job's PATH: the runner directories, then <paramref name="systemPath"/>.</summary>
    public static string JobPath(int runnerDirectories, string systemPath) =>
        string.Join(':', Enumerable.Range(0, runnerDirectories).Select(SandboxPath).Append(systemPath));

    private static string SandboxPath(int index) => $"{Root}/{index}";
}
