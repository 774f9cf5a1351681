using Microsoft.Extensions.Logging;

namespace OpenGrid.Provider.Sandbox;

/// <summary>A cgroup hierarchy (v1 or v2) in which the sandbox creates one child cgroup per run.</summary>
internal interface ICgroupHierarchy
{
    /// <summary><c>v1</c>, <c>v2</c> or <c>none</c>.</summary>
    string Version { get; }

    /// <summary>Limits this hierarchy can enforce, e.g. <c>memory:cgroup-v1</c>.</summary>
    IReadOnlyList<string> Enforced { get; }

    bool Enforces(string controller);

    /// <summary>Creates the run's cgroup with its limits written; null when this host has no usable hierarchy.</summary>
    IRunCgroup? Create(string name, SandboxLimits limits);

    /// <summary>The existing run cgroups whose name matches <paramref name="select"/>.</summary>
    IReadOnlyList<IRunCgroup> Existing(Func<string, bool> select);
}

/// <summary>One run's cgroup. Disposing removes it (it must be empty by then).</summary>
internal interface IRunCgroup : IAsyncDisposable
{
    /// <summary>The <c>cgroup.procs</c> files the wrapper shell writes its pid to before it execs bwrap.</summary>
    IReadOnlyList<string> ProcsFiles { get; }

    IReadOnlySet<int> ReadPids();

    /// <summary>Asks the kernel to kill every process in the cgroup where it can (v2 <c>cgroup.kill</c>).</summary>
    void RequestKill();

    CgroupStats ReadStats();
}

/// <summary>Usage read from a run's cgroup; null where the host does not account it.</summary>
internal sealed record CgroupStats(TimeSpan? Cpu, long? PeakMemoryBytes, long OomKills);

internal static class Cgroups
{
    private static readonly TimeSpan KillDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KillPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>Picks v2 where <c>cgroup.controllers</c> sits at the root, else v1 where per-controller
    /// mounts exist, else none; a hierarchy whose parent cgroup cannot be created (not root) counts as none.</summary>
    public static ICgroupHierarchy Detect(SandboxOptions options, ILogger logger)
    {
        if (File.Exists(Path.Combine(options.CgroupRoot, "cgroup.controllers")))
        {
            return Usable(CgroupV2Hierarchy.Open(options.CgroupRoot, options.CgroupParent, logger), "v2", logger);
        }

        if (Directory.Exists(Path.Combine(options.CgroupRoot, "memory")) ||
            Directory.Exists(Path.Combine(options.CgroupRoot, "pids")))
        {
            return Usable(CgroupV1Hierarchy.Open(options.CgroupRoot, options.CgroupParent, logger), "v1", logger);
        }

        SandboxLog.NoCgroupHierarchy(logger, options.CgroupRoot);
        return NoCgroups.Instance;
    }

    /// <summary>Kills every process of the run's cgroup but <paramref name="spare"/> until none is left (a
    /// forking tree can race a single pass). Returns false if processes remain after the deadline (for example
    /// stuck in uninterruptible I/O).</summary>
    public static async Task<bool> KillAllAsync(IRunCgroup cgroup, int? spare = null)
    {
        if (spare is null)
        {
            cgroup.RequestKill();
        }

        var deadline = DateTime.UtcNow + KillDeadline;
        while (true)
        {
            var pids = cgroup.ReadPids().Where(pid => pid != spare).ToList();
            if (pids.Count == 0)
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            foreach (var pid in pids)
            {
                Signals.Kill(pid);
            }

            await Task.Delay(KillPollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the parent cgroup if needed and proves this process may create children in it (an
    /// existing parent made by root says nothing about an unprivileged provider); throws if not.</summary>
    public static void CreateParent(string parent)
    {
        Directory.CreateDirectory(parent);
        var probe = Path.Combine(parent, "probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        Directory.Delete(probe);
    }

    public static IReadOnlySet<int> ReadProcs(string procsFile)
    {
        var pids = new HashSet<int>();
        foreach (var line in File.ReadLines(procsFile))
        {
            if (int.TryParse(line, out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>The number after <paramref name="key"/> in a flat-keyed file (<c>memory.events</c>,
    /// <c>memory.oom_control</c>, <c>cpu.stat</c>); null where the file or key is missing.</summary>
    public static long? ReadKey(string file, string key)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (var line in File.ReadLines(file))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var value))
            {
                return value;
            }
        }

        return null;
    }

    public static long? ReadNumber(string file) =>
        File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), out var value) ? value : null;

    /// <summary>Writes the settings whose controller is enforced; a missing optional file is skipped.</summary>
    public static void Write(IEnumerable<CgroupSetting> settings, Func<CgroupSetting, string?> pathOf)
    {
        foreach (var setting in settings)
        {
            var path = pathOf(setting);
            if (path is null || (setting.Optional && !File.Exists(path)))
            {
                continue;
            }

            File.WriteAllText(path, setting.Value);
        }
    }

    /// <summary>Removes a run's cgroup directory; the kernel may report it busy for a moment after the last
    /// process is reaped.</summary>
    public static async Task RemoveAsync(string directory, ILogger logger)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory);
                }

                return;
            }
            catch (IOException ex) when (attempt < 100)
            {
                SandboxLog.CgroupBusy(logger, directory, ex.Message);
                await Task.Delay(KillPollInterval).ConfigureAwait(false);
            }
        }
    }

    private static ICgroupHierarchy Usable(ICgroupHierarchy hierarchy, string version, ILogger logger)
    {
        if (hierarchy.Enforced.Count > 0)
        {
            SandboxLog.CgroupsDetected(logger, version, string.Join(',', hierarchy.Enforced));
            return hierarchy;
        }

        SandboxLog.CgroupsUnavailable(logger, version, "no writable controller");
        return NoCgroups.Instance;
    }
}

/// <summary>No usable cgroups: limits fall back to rlimits.</summary>
internal sealed class NoCgroups : ICgroupHierarchy
{
    public static readonly NoCgroups Instance = new();

    public string Version => "none";

    public IReadOnlyList<string> Enforced => [];

    public bool Enforces(string controller) => false;

    public IRunCgroup? Create(string name, SandboxLimits limits) => null;

    public IReadOnlyList<IRunCgroup> Existing(Func<string, bool> select) => [];
}
