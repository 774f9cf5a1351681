namespace OpenGrid.Cli.Grid;

/// <summary>Where <c>og dev</c> finds what it runs: the coordinator and og assemblies, the dotnet host, the repository.</summary>
internal static class DevGridPaths
{
    /// <summary>The default data folder of a dev grid, relative to the current directory.</summary>
    public static readonly string DefaultDataDir = Path.Combine(".opengrid", "dev");

    public const string CoordinatorDllVariable = "OPENGRID_COORDINATOR_DLL";
    public const string SolutionFileName = "OpenGrid.slnx";

    /// <summary>
    /// <c>$OPENGRID_COORDINATOR_DLL</c>, else the coordinator built next to og: the repository builds into
    /// <c>artifacts/bin/&lt;project&gt;/&lt;config&gt;/</c>, so from <c>artifacts/bin/OpenGrid.Cli/debug/</c> it is
    /// <c>artifacts/bin/OpenGrid.Coordinator/debug/OpenGrid.Coordinator.dll</c>.
    /// </summary>
    public static string CoordinatorDll(CliEnvironment env)
    {
        if (env.GetVariable(CoordinatorDllVariable) is { Length: > 0 } configured)
        {
            var full = env.FullPath(configured);
            return File.Exists(full)
                ? full
                : throw new CliException($"{CoordinatorDllVariable} names {full}, which does not exist", ExitCodes.Failure);
        }
        var baseDir = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var config = Path.GetFileName(baseDir);
        var dll = Path.GetFullPath(Path.Combine(baseDir, "..", "..", "OpenGrid.Coordinator", config, "OpenGrid.Coordinator.dll"));
        return File.Exists(dll)
            ? dll
            : throw new CliException(
                $"the coordinator is not built: {dll} does not exist; build it with `dotnet build src/OpenGrid.Coordinator` " +
                $"(./og does this) or set {CoordinatorDllVariable}", ExitCodes.Failure);
    }

    /// <summary>og's own assembly, started as <c>dotnet og.dll provider start</c> for each provider.</summary>
    public static string OgDll()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "og.dll");
        return File.Exists(dll) ? dll : throw new CliException($"cannot find og.dll in {AppContext.BaseDirectory}", ExitCodes.Failure);
    }

    /// <summary>The dotnet host running og, so children use the same runtime.</summary>
    public static string DotnetHost(CliEnvironment env)
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        if (env.GetVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return host;
        return "dotnet";
    }

    /// <summary>The repository root (the folder holding OpenGrid.slnx) above the current directory or og's own folder.</summary>
    public static string? RepositoryRoot(CliEnvironment env)
    {
        foreach (var start in new[] { env.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
                    return dir.FullName;
            }
        }
        return null;
    }
}
