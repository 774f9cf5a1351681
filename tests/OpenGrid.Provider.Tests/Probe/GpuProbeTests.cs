using OpenGrid.Protocol.Api;
using OpenGrid.Provider.Probe;
using OpenGrid.Testing;

namespace OpenGrid.Provider.Tests.Probe;

/// <summary>
/// The GPU probe end to end against a fake <c>nvidia-smi</c> (a script printing captured output) and a fake
/// <c>/proc/driver/nvidia</c>, and the capabilities GPUs give.
/// </summary>
public sealed class GpuProbeTests : IDisposable
{
    private readonly TempDir _dir = new("gpu-probe");

    [Fact]
    public async Task Nvidia_smi_output_becomes_gpus_with_the_cuda_version_of_its_banner()
    {
        var smi = FakeSmi("h100-query.csv", "h100-banner.txt", exitCode: 0);

        var gpus = await new GpuProbe([_dir.Combine("absent-smi"), smi], _dir.Combine("no-proc")).DetectAsync(default);

        var gpu = Assert.Single(gpus);
        Assert.Equal(("NVIDIA H100 80GB HBM3", "550.54.15", "12.4"), (gpu.Model, gpu.Driver, gpu.Cuda));
        Assert.Equal(["gpu:nvidia-h100-80gb-hbm3", "gpu:cuda"], GpuCapabilities.For(gpus));
    }

    [Fact]
    public async Task A_failing_nvidia_smi_is_a_probe_failure_naming_its_status_and_message()
    {
        var smi = FakeSmi("garbage.txt", "garbage.txt", exitCode: 9);

        var e = await Assert.ThrowsAsync<ProbeFailedException>(() => new GpuProbe([smi], _dir.Combine("no-proc")).DetectAsync(default));

        Assert.Contains("status 9", e.Message);
        Assert.Contains("couldn't communicate with the NVIDIA driver", e.Message);
    }

    [Fact]
    public async Task Without_nvidia_smi_the_driver_folder_gives_the_models_and_driver_version()
    {
        var proc = _dir.Combine("proc");
        Directory.CreateDirectory(Path.Combine(proc, "gpus", "0000:01:00.0"));
        File.WriteAllText(Path.Combine(proc, "gpus", "0000:01:00.0", "information"), "Model: \t\t NVIDIA A100-SXM4-40GB\nIRQ: 42\n");
        File.WriteAllText(Path.Combine(proc, "version"), NvidiaSmiOutputTests.Fixture("proc-driver-version.txt"));

        var gpus = await new GpuProbe([_dir.Combine("absent-smi")], proc).DetectAsync(default);

        var gpu = Assert.Single(gpus);
        Assert.Equal(("NVIDIA A100-SXM4-40GB", "550.54.15", (string?)null), (gpu.Model, gpu.Driver, gpu.Cuda));
        Assert.Equal(["gpu:nvidia-a100-sxm4-40gb"], GpuCapabilities.For(gpus));
    }

    [Fact]
    public async Task Neither_nvidia_smi_nor_the_driver_means_no_gpus()
    {
        Assert.Empty(await new GpuProbe([_dir.Combine("absent-smi")], _dir.Combine("no-proc")).DetectAsync(default));
    }

    [Fact]
    public void Two_gpus_of_one_model_give_one_model_capability()
    {
        GpuView a100 = new("NVIDIA A100-SXM4-40GB", 40L << 30, "535.129.03", "12.2");

        Assert.Equal(["gpu:nvidia-a100-sxm4-40gb", "gpu:cuda"], GpuCapabilities.For([a100, a100]));
        Assert.Empty(GpuCapabilities.For([]));
    }

    [Theory]
    [InlineData("NVIDIA GeForce RTX 4090", "nvidia-geforce-rtx-4090")]
    [InlineData("  Tesla V100-PCIE-16GB (rev a1) ", "tesla-v100-pcie-16gb-rev-a1")]
    [InlineData("NVIDIA RTX A6000", "nvidia-rtx-a6000")]
    public void A_model_name_becomes_a_lower_case_slug(string model, string slug)
    {
        Assert.Equal(slug, GpuCapabilities.Slug(model));
    }

    [Fact]
    public void A_very_long_model_name_still_gives_a_valid_capability()
    {
        var capability = Assert.Single(GpuCapabilities.For([new GpuView(new string('x', 50) + " " + new string('y', 50), 0, null, null)]));

        Assert.True(capability.Length <= 64, capability);
        Assert.Matches("^[a-z0-9][a-z0-9:._-]*$", capability);
        Assert.False(capability.EndsWith('-'), capability);
    }

    /// <summary>A script that prints the query fixture for the query arguments and the banner otherwise.</summary>
    private string FakeSmi(string queryFixture, string bannerFixture, int exitCode)
    {
        var query = _dir.Combine(queryFixture);
        var banner = _dir.Combine(bannerFixture);
        File.WriteAllText(query, NvidiaSmiOutputTests.Fixture(queryFixture));
        File.WriteAllText(banner, NvidiaSmiOutputTests.Fixture(bannerFixture));
        var script = _dir.Combine("nvidia-smi");
        File.WriteAllText(script,
            $"#!/bin/sh\nif [ \"$1\" = \"{NvidiaSmiOutput.QueryArguments[0]}\" ] && [ \"$2\" = \"{NvidiaSmiOutput.QueryArguments[1]}\" ]; " +
            $"then cat '{query}'; else cat '{banner}'; fi\nexit {exitCode}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    public void Dispose() => _dir.Dispose();
}
