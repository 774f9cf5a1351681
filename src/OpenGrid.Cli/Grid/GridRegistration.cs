namespace OpenGrid.Cli.Grid;

/// <summary>
/// The grid files of one running dev grid: <c>&lt;data&gt;/grid.json</c> and <c>$OPENGRID_HOME/dev-grid.json</c>,
/// written while it runs, removed when it stops, and checked so that two grids never share a data folder.
/// </summary>
internal sealed class GridRegistration(string dataDir, string home)
{
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;

    private string DataFile => Path.Combine(dataDir, GridFile.FileName);
    private string HomeFile => Path.Combine(home, GridFile.HomeFileName);

    /// <summary>Throws (exit 6) when a grid whose processes are alive is registered on <paramref name="dataDir"/>.</summary>
    public static void RefuseIfRunning(string dataDir)
    {
        var path = Path.Combine(dataDir, GridFile.FileName);
        if (GridFile.TryRead(path) is not { } previous)
            return;
        var live = previous.LivePids();
        if (live.Count == 0)
        {
            File.Delete(path); // left by a grid that did not stop cleanly; its processes are gone
            return;
        }
        throw new CliException(
            $"a dev grid is already running on {dataDir} (coordinator {previous.Coordinator}, " +
            $"pids {string.Join(", ", live.Select(p => $"{p.Key} {p.Value}"))}); stop it with Ctrl-C in its terminal " +
            $"(or kill {string.Join(" ", live.Select(p => p.Value))}), or pass --data DIR to start another",
            ExitCodes.Conflict);
    }

    /// <summary>Records the coordinator URL and the pids of og and every child.</summary>
    public void Write(Uri coordinator, IEnumerable<ChildProcess> children)
    {
        var pids = new Dictionary<string, int> { [GridFile.SupervisorPid] = Environment.ProcessId };
        foreach (var child in children)
            pids[child.Name] = child.Pid;
        var grid = new GridFile(coordinator.ToString(), pids, _startedAt, dataDir);
        grid.Write(DataFile);
        grid.Write(HomeFile);
    }

    /// <summary>Removes the files this process wrote; one another grid has taken over since is left alone.</summary>
    public void Delete()
    {
        foreach (var path in new[] { DataFile, HomeFile })
        {
            if (GridFile.TryRead(path) is { } grid
                && grid.Pids.TryGetValue(GridFile.SupervisorPid, out var pid) && pid == Environment.ProcessId)
                File.Delete(path);
        }
    }
}
