using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

public class CgroupLimitsTests
{
    private static readonly SandboxLimits HalfCore64MiB32Processes =
        new(MemoryBytes: 64L << 20, CpuMillis: 500, Processes: 32, Timeout: TimeSpan.FromSeconds(5), DiskBytes: 1 << 20);

    [Fact]
    public void V1_limits_memory_and_swap_cpu_quota_and_pids_with_bwraps_own_processes_added()
    {
        var settings = CgroupLimits.ForV1(HalfCore64MiB32Processes);

        Assert.Equal(
            [
                new("memory", "memory.limit_in_bytes", "67108864"),
                new("memory", "memory.memsw.limit_in_bytes", "67108864", Optional: true),
                new("cpu", "cpu.cfs_period_us", "100000"),
                new("cpu", "cpu.cfs_quota_us", "50000"),
                new CgroupSetting("pids", "pids.max", "34"),
            ],
            settings);
    }

    [Fact]
    public void V2_limits_memory_without_swap_cpu_max_and_pids()
    {
        var settings = CgroupLimits.ForV2(HalfCore64MiB32Processes);

        Assert.Equal(
            [
                new("memory", "memory.max", "67108864"),
                new("memory", "memory.swap.max", "0", Optional: true),
                new("memory", "memory.oom.group", "1", Optional: true),
                new("cpu", "cpu.max", "50000 100000"),
                new CgroupSetting("pids", "pids.max", "34"),
            ],
            settings);
    }

    [Fact]
    public void Zero_limits_write_nothing()
    {
        var unlimited = new SandboxLimits(0, 0, 0, TimeSpan.FromSeconds(1), 0);

        Assert.Empty(CgroupLimits.ForV1(unlimited));
        Assert.Empty(CgroupLimits.ForV2(unlimited));
    }

    [Fact]
    public void A_cpu_share_below_the_kernels_minimum_quota_is_raised_to_it()
    {
        Assert.Equal(1_000, CgroupLimits.CpuQuotaMicros(1));
        Assert.Equal(250_000, CgroupLimits.CpuQuotaMicros(2_500));
    }
}
