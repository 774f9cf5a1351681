using OpenGrid.Provider.Probe;
using OpenGrid.Testing;

namespace OpenGrid.Provider.Tests.Probe;

public sealed class ResourceProbeTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Nvidia_smi_csv_lines_become_gpus_with_memory_in_bytes()
    {
        const string csv = "NVIDIA H100 80GB HBM3, 81559, 550.54.15\nNVIDIA GeForce RTX 4090, 24564, 550.54.15\n";
        var gpus = ResourceProbe.ParseNvidiaSmi(csv, "12.4");
        Assert.Equal(2, gpus.Count);
        Assert.Equal(("NVIDIA H100 80GB HBM3", 81559 * MiB, "550.54.15", "12.4"), (gpus[0].Model, gpus[0].MemoryBytes, gpus[0].Driver, gpus[0].Cuda));
        Assert.Equal("NVIDIA GeForce RTX 4090", gpus[1].Model);
    }

    [Fact]
    public void Malformed_nvidia_smi_lines_are_ignored()
    {
        Assert.Empty(ResourceProbe.ParseNvidiaSmi("No devices were found\n", null));
        Assert.Empty(ResourceProbe.ParseNvidiaSmi("", null));
    }

    [Fact]
    public void The_driver_folder_yields_one_gpu_per_device_with_its_model()
    {
        using var dir = new TempDir("probe");
        Directory.CreateDirectory(dir.Combine("0000:01:00.0"));
        File.WriteAllText(dir.Combine("0000:01:00.0", "information"), "Model: \t\t NVIDIA A100-SXM4-40GB\nIRQ: 42\n");
        var gpus = ResourceProbe.DriverGpus(dir.Path);
        Assert.Equal("NVIDIA A100-SXM4-40GB", Assert.Single(gpus).Model);
        Assert.Empty(ResourceProbe.DriverGpus(dir.Combine("absent")));
    }

    [Fact]
    public void This_machine_reports_its_cores_memory_and_the_process_runtime()
    {
        using var dir = new TempDir("probe");
        var inventory = ResourceProbe.Detect(dir.Path);
        Assert.Equal(Environment.ProcessorCount, inventory.Hardware.Cores);
        Assert.True(inventory.Hardware.MemoryBytes > 64 * MiB, $"memory {inventory.Hardware.MemoryBytes}");
        Assert.True(inventory.Hardware.DiskBytes > 0);
        Assert.NotEqual("unknown", inventory.Hardware.CpuModel);
        Assert.Contains("runtime:process", inventory.Capabilities);
    }
}
