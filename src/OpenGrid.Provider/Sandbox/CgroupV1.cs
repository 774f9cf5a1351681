using Microsoft.Extensions.Logging;

namespace OpenGrid.Provider.Sandbox;

/// <summary>cgroup v1: one mount per controller (<c>/sys/fs/cgroup/memory</c>, <c>…/cpu</c>, <c>…/pids</c>);
/// a run's cgroup is a directory of the same name under the parent in each of them.</summary>
internal sealed class CgroupV1Hierarchy : ICgroupHierarchy
{
    /// <summary>cpuacct only accounts (CPU time); the others enforce limits.</summary>
    private static readonly string[] Controllers = ["memory", "cpu", "cpuacct", "pids"];

    private readonly Dictionary<string, string> parents;
    private readonly ILogger logger;

    private CgroupV1Hierarchy(Dictionary<string, string> parents, IReadOnlyList<string> enforced, ILogger logger)
    {
        this.parents = parents;
        Enforced = enforced;
        this.logger = logger;
    }

    public string Version => "v1";

    public IReadOnlyList<string> Enforced { get; }

    public static CgroupV1Hierarchy Open(string root, string parentName, ILogger logger)
    {
        var parents = new Dictionary<string, string>();
        foreach (var controller in Controllers)
        {
            var mount = Path.Combine(root, controller);
            if (!Directory.Exists(mount))
            {
                continue;
            }

            // Co-mounted controllers (cpu -> cpu,cpuacct) resolve to one directory, created and listed once.
            var resolved = new DirectoryInfo(mount).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? mount;
            var parent = Path.Combine(resolved, parentName);
            try
            {
                Cgroups.CreateParent(parent);
                parents[controller] = parent;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                SandboxLog.CgroupControllerUnavailable(logger, "v1", controller, ex.Message);
            }
        }

        var enforced = new List<string>();
        if (parents.TryGetValue("memory", out var memory))
        {
            enforced.Add("memory:cgroup-v1");
            if (File.Exists(Path.Combine(memory, "memory.memsw.limit_in_bytes")))
            {
                enforced.Add("swap:cgroup-v1");
            }
        }

        enforced.AddRange(new[] { "cpu", "pids" }.Where(parents.ContainsKey).Select(c => $"{c}:cgroup-v1"));
        return new CgroupV1Hierarchy(parents, enforced, logger);
    }

    public bool Enforces(string controller) => controller != "cpuacct" && parents.ContainsKey(controller);

    public IReadOnlyList<IRunCgroup> Existing(Func<string, bool> select) =>
        parents.Values.Distinct()
            .SelectMany(parent => Directory.EnumerateDirectories(parent).Select(Path.GetFileName).OfType<string>())
            .Where(select)
            .Distinct()
            .Select(name => new RunCgroupV1(
                parents.Where(p => Directory.Exists(Path.Combine(p.Value, name)))
                    .ToDictionary(p => p.Key, p => Path.Combine(p.Value, name)),
                logger))
            .ToList<IRunCgroup>();

    public IRunCgroup? Create(string name, SandboxLimits limits)
    {
        var directories = parents.ToDictionary(p => p.Key, p => Path.Combine(p.Value, name));
        var cgroup = new RunCgroupV1(directories, logger);
        try
        {
            foreach (var directory in directories.Values)
            {
                Directory.CreateDirectory(directory);
            }

            Cgroups.Write(
                CgroupLimits.ForV1(limits),
                s => directories.TryGetValue(s.Controller, out var d) ? Path.Combine(d, s.File) : null);
            return cgroup;
        }
        catch
        {
            // Leave no half-made cgroup behind (it holds no process yet); the exception is the caller's to report.
            foreach (var directory in directories.Values.Distinct().Where(Directory.Exists))
            {
                Directory.Delete(directory);
            }

            throw;
        }
    }
}

internal sealed class RunCgroupV1(Dictionary<string, string> directories, ILogger logger) : IRunCgroup
{
    /// <summary>Controllers mounted together (<c>cpu,cpuacct</c>) share one directory: list each once.</summary>
    public IReadOnlyList<string> ProcsFiles { get; } =
        directories.Values.Distinct().Select(d => Path.Combine(d, "cgroup.procs")).ToList();

    public IReadOnlySet<int> ReadPids()
    {
        var pids = new HashSet<int>();
        foreach (var file in ProcsFiles.Where(File.Exists))
        {
            pids.UnionWith(Cgroups.ReadProcs(file));
        }

        return pids;
    }

    public void RequestKill()
    {
        // v1 has no cgroup.kill; Cgroups.KillAllAsync signals every listed pid until none is left.
    }

    public CgroupStats ReadStats()
    {
        TimeSpan? cpu = null;
        if (directories.TryGetValue("cpuacct", out var cpuacct) &&
            Cgroups.ReadNumber(Path.Combine(cpuacct, "cpuacct.usage")) is { } nanoseconds)
        {
            cpu = TimeSpan.FromTicks(nanoseconds / 100);
        }

        long? peak = null;
        long oomKills = 0;
        if (directories.TryGetValue("memory", out var memory))
        {
            peak = Cgroups.ReadNumber(Path.Combine(memory, "memory.max_usage_in_bytes"));
            oomKills = Cgroups.ReadKey(Path.Combine(memory, "memory.oom_control"), "oom_kill") ?? 0;
        }

        return new CgroupStats(cpu, peak, oomKills);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var directory in directories.Values.Distinct())
        {
            await Cgroups.RemoveAsync(directory, logger).ConfigureAwait(false);
        }
    }
}
