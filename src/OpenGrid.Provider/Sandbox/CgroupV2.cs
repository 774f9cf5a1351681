using Microsoft.Extensions.Logging;

namespace OpenGrid.Provider.Sandbox;

/// <summary>cgroup v2: one unified tree. The parent must have the controllers enabled in its
/// <c>cgroup.subtree_control</c> (and so must the root above it) for a child to get the limit files.</summary>
internal sealed class CgroupV2Hierarchy : ICgroupHierarchy
{
    private static readonly string[] Controllers = ["memory", "cpu", "pids"];

    private readonly string parent;
    private readonly HashSet<string> enabled;
    private readonly ILogger logger;

    private CgroupV2Hierarchy(string parent, HashSet<string> enabled, ILogger logger)
    {
        this.parent = parent;
        this.enabled = enabled;
        this.logger = logger;
        Enforced = Controllers.Where(enabled.Contains).Select(c => $"{c}:cgroup-v2").ToList();
    }

    public string Version => "v2";

    public IReadOnlyList<string> Enforced { get; }

    public static CgroupV2Hierarchy Open(string root, string parentName, ILogger logger)
    {
        var parent = Path.Combine(root, parentName);
        try
        {
            Cgroups.CreateParent(parent);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            SandboxLog.CgroupControllerUnavailable(logger, "v2", "all", ex.Message);
            return new CgroupV2Hierarchy(parent, [], logger);
        }

        // Enable each controller on the way down from the root; a level that holds processes refuses (EBUSY)
        // and leaves that controller unenforced.
        var levels = new List<string> { root };
        var relative = Path.GetRelativePath(root, parent).Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i <= relative.Length; i++)
        {
            levels.Add(Path.Combine([root, .. relative[..i]]));
        }

        foreach (var controller in Controllers)
        {
            foreach (var level in levels)
            {
                try
                {
                    File.WriteAllText(Path.Combine(level, "cgroup.subtree_control"), "+" + controller);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    SandboxLog.CgroupControllerUnavailable(logger, "v2", controller, ex.Message);
                    break;
                }
            }
        }

        var subtree = Path.Combine(parent, "cgroup.subtree_control");
        var enabled = File.Exists(subtree)
            ? File.ReadAllText(subtree).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToHashSet()
            : [];
        return new CgroupV2Hierarchy(parent, enabled, logger);
    }

    public bool Enforces(string controller) => enabled.Contains(controller);

    public IReadOnlyList<IRunCgroup> Existing(Func<string, bool> select) =>
        Directory.Exists(parent)
            ? Directory.EnumerateDirectories(parent)
                .Where(d => select(Path.GetFileName(d)))
                .Select(d => new RunCgroupV2(d, logger))
                .ToList<IRunCgroup>()
            : [];

    public IRunCgroup? Create(string name, SandboxLimits limits)
    {
        var directory = Path.Combine(parent, name);
        Directory.CreateDirectory(directory);
        try
        {
            Cgroups.Write(
                CgroupLimits.ForV2(limits),
                s => enabled.Contains(s.Controller) ? Path.Combine(directory, s.File) : null);
            return new RunCgroupV2(directory, logger);
        }
        catch
        {
            // Leave no half-made cgroup behind (it holds no process yet); the exception is the caller's to report.
            Directory.Delete(directory);
            throw;
        }
    }
}

internal sealed class RunCgroupV2(string directory, ILogger logger) : IRunCgroup
{
    public IReadOnlyList<string> ProcsFiles { get; } = [Path.Combine(directory, "cgroup.procs")];

    public IReadOnlySet<int> ReadPids() =>
        File.Exists(ProcsFiles[0]) ? Cgroups.ReadProcs(ProcsFiles[0]) : new HashSet<int>();

    public void RequestKill()
    {
        // cgroup.kill (Linux 5.14+) kills the whole subtree atomically, forks in flight included.
        var kill = Path.Combine(directory, "cgroup.kill");
        if (File.Exists(kill))
        {
            File.WriteAllText(kill, "1");
        }
    }

    public CgroupStats ReadStats()
    {
        var usageMicros = Cgroups.ReadKey(Path.Combine(directory, "cpu.stat"), "usage_usec");
        return new CgroupStats(
            usageMicros is { } us ? TimeSpan.FromMicroseconds(us) : null,
            Cgroups.ReadNumber(Path.Combine(directory, "memory.peak")),
            Cgroups.ReadKey(Path.Combine(directory, "memory.events"), "oom_kill") ?? 0);
    }

    public async ValueTask DisposeAsync() => await Cgroups.RemoveAsync(directory, logger).ConfigureAwait(false);
}
