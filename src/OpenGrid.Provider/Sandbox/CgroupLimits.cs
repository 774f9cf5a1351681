namespace OpenGrid.Provider.Sandbox;

/// <summary>One value written to a file of a run's cgroup. Optional files may be missing on a host (for example
/// swap accounting switched off) and are skipped there.</summary>
internal sealed record CgroupSetting(string Controller, string File, string Value, bool Optional = false);

/// <summary>Translates <see cref="SandboxLimits"/> into cgroup v1 and v2 files. Zero or negative means unlimited.</summary>
internal static class CgroupLimits
{
    public const long CpuPeriodMicros = 100_000;

    /// <summary>The kernel refuses CFS quotas under 1 ms.</summary>
    public const long MinCpuQuotaMicros = 1_000;

    /// <summary>bwrap's own processes in the run's cgroup (the outer monitor and pid 1 of the job's pid
    /// namespace) count against pids.max, so they are added to the job's allowance.</summary>
    public const int SandboxProcesses = 2;

    public static long CpuQuotaMicros(long cpuMillis) =>
        Math.Max(MinCpuQuotaMicros, cpuMillis * CpuPeriodMicros / 1000);

    public static IReadOnlyList<CgroupSetting> ForV1(SandboxLimits limits)
    {
        var settings = new List<CgroupSetting>();
        if (limits.MemoryBytes > 0)
        {
            var bytes = Format(limits.MemoryBytes);
            settings.Add(new("memory", "memory.limit_in_bytes", bytes));
            // memory+swap equal to memory: no swap. Present only with swap accounting (swapaccount=1).
            settings.Add(new("memory", "memory.memsw.limit_in_bytes", bytes, Optional: true));
        }

        if (limits.CpuMillis > 0)
        {
            settings.Add(new("cpu", "cpu.cfs_period_us", Format(CpuPeriodMicros)));
            settings.Add(new("cpu", "cpu.cfs_quota_us", Format(CpuQuotaMicros(limits.CpuMillis))));
        }

        if (limits.Processes > 0)
        {
            settings.Add(new("pids", "pids.max", Format(limits.Processes + SandboxProcesses)));
        }

        return settings;
    }

    public static IReadOnlyList<CgroupSetting> ForV2(SandboxLimits limits)
    {
        var settings = new List<CgroupSetting>();
        if (limits.MemoryBytes > 0)
        {
            settings.Add(new("memory", "memory.max", Format(limits.MemoryBytes)));
            settings.Add(new("memory", "memory.swap.max", "0", Optional: true));
            // One OOM kill takes the whole run down instead of leaving a crippled tree behind.
            settings.Add(new("memory", "memory.oom.group", "1", Optional: true));
        }

        if (limits.CpuMillis > 0)
        {
            settings.Add(new("cpu", "cpu.max", $"{Format(CpuQuotaMicros(limits.CpuMillis))} {Format(CpuPeriodMicros)}"));
        }

        if (limits.Processes > 0)
        {
            settings.Add(new("pids", "pids.max", Format(limits.Processes + SandboxProcesses)));
        }

        return settings;
    }

    private static string Format(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
