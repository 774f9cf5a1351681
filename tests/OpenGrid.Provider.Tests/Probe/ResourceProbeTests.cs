using Microsoft.Extensions.Logging.Abstractions;
using OpenGrid.Provider.Probe;
using OpenGrid.Testing;

namespace OpenGrid.Provider.Tests.Probe;

public sealed class ResourceProbeTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task This_machine_reports_its_cores_memory_and_the_process_runtime()
    {
        using var dir = new TempDir("probe");
        var inventory = await ResourceProbe.DetectAsync(dir.Path, NullLogger.Instance, default);
        Assert.Equal(Environment.ProcessorCount, inventory.Hardware.Cores);
        Assert.True(inventory.Hardware.MemoryBytes > 64 * MiB, $"memory {inventory.Hardware.MemoryBytes}");
        Assert.True(inventory.Hardware.DiskBytes > 0);
        Assert.NotEqual("unknown", inventory.Hardware.CpuModel);
        Assert.Contains("runtime:process", inventory.Capabilities);
    }
}
