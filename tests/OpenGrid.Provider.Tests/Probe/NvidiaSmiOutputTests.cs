using OpenGrid.Provider.Probe;
using OpenGrid.Testing;

namespace OpenGrid.Provider.Tests.Probe;

/// <summary>The nvidia-smi and driver parsers on output captured from real machines (Probe/Fixtures).</summary>
public sealed class NvidiaSmiOutputTests
{
    private const long MiB = 1024 * 1024;

    public static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "tests", "OpenGrid.Provider.Tests", "Probe", "Fixtures", name));

    [Fact]
    public void An_h100_gives_its_model_memory_driver_and_the_cuda_version_of_the_banner()
    {
        var cuda = NvidiaSmiOutput.ParseCudaVersion(Fixture("h100-banner.txt"));
        var gpu = Assert.Single(NvidiaSmiOutput.ParseQuery(Fixture("h100-query.csv"), cuda));

        Assert.Equal(("NVIDIA H100 80GB HBM3", 81559 * MiB, "550.54.15", "12.4"), (gpu.Model, gpu.MemoryBytes, gpu.Driver, gpu.Cuda));
    }

    [Fact]
    public void An_rtx_4090_in_a_desktop_with_xorg_running_is_read_the_same_way()
    {
        var cuda = NvidiaSmiOutput.ParseCudaVersion(Fixture("rtx4090-banner.txt"));
        var gpu = Assert.Single(NvidiaSmiOutput.ParseQuery(Fixture("rtx4090-query.csv"), cuda));

        Assert.Equal(("NVIDIA GeForce RTX 4090", 24564 * MiB, "545.29.06", "12.3"), (gpu.Model, gpu.MemoryBytes, gpu.Driver, gpu.Cuda));
    }

    [Fact]
    public void Two_gpus_give_two_entries()
    {
        var gpus = NvidiaSmiOutput.ParseQuery(Fixture("two-a100-query.csv"), NvidiaSmiOutput.ParseCudaVersion(Fixture("two-a100-banner.txt")));

        Assert.Equal(2, gpus.Count);
        Assert.All(gpus, gpu => Assert.Equal(("NVIDIA A100-SXM4-40GB", 40960 * MiB, "12.2"), (gpu.Model, gpu.MemoryBytes, gpu.Cuda)));
    }

    [Fact]
    public void Memory_without_the_unit_as_with_nounits_is_read_as_mib()
    {
        var gpu = Assert.Single(NvidiaSmiOutput.ParseQuery("NVIDIA L4, 23034, 535.104.05\n", null));

        Assert.Equal(23034 * MiB, gpu.MemoryBytes);
        Assert.Null(gpu.Cuda);
    }

    [Fact]
    public void No_devices_found_means_no_gpus()
    {
        Assert.Empty(NvidiaSmiOutput.ParseQuery(Fixture("no-gpu-query.csv"), "12.4"));
    }

    [Fact]
    public void Garbage_lines_are_skipped_and_carry_no_cuda_version()
    {
        var garbage = Fixture("garbage.txt");

        Assert.Empty(NvidiaSmiOutput.ParseQuery(garbage, null));
        Assert.Null(NvidiaSmiOutput.ParseCudaVersion(garbage));
        Assert.Null(NvidiaSmiOutput.ParseDriverVersion(garbage));
    }

    [Fact]
    public void The_driver_version_comes_from_proc_driver_nvidia_version()
    {
        Assert.Equal("550.54.15", NvidiaSmiOutput.ParseDriverVersion(Fixture("proc-driver-version.txt")));
    }
}
