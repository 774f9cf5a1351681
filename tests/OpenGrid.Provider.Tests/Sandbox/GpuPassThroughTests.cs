using OpenGrid.Provider.Sandbox;
using OpenGrid.Testing;

namespace OpenGrid.Provider.Tests.Sandbox;

/// <summary>GPU device nodes reach the sandbox only for a job that asked for GPUs.</summary>
public sealed class GpuPassThroughTests
{
    private static readonly string[] HostNodes = ["/dev/nvidia-uvm", "/dev/nvidia0", "/dev/nvidiactl"];

    [Fact]
    public void A_job_that_asks_for_a_gpu_gets_every_nvidia_node_bound_after_the_minimal_dev()
    {
        var args = BubblewrapCommand.BwrapArguments(Request(gpuCount: 1), Setup());

        var dev = IndexOf(args, "--dev");
        Assert.Equal(
            ["--dev-bind", "/dev/nvidia-uvm", "/dev/nvidia-uvm", "--dev-bind", "/dev/nvidia0", "/dev/nvidia0", "--dev-bind", "/dev/nvidiactl", "/dev/nvidiactl"],
            args.Skip(dev + 2).Take(9));
    }

    [Fact]
    public void A_job_without_gpus_sees_no_nvidia_node()
    {
        var args = BubblewrapCommand.BwrapArguments(Request(gpuCount: 0), Setup());

        Assert.DoesNotContain("--dev-bind", args);
        Assert.DoesNotContain(args, a => a.Contains("nvidia", StringComparison.Ordinal));
    }

    [Fact]
    public void The_host_nodes_are_found_by_name_with_the_capability_nodes()
    {
        using var dev = new TempDir("dev");
        foreach (var name in new[] { "nvidia0", "nvidiactl", "null", "nvme0" })
            File.WriteAllText(dev.Combine(name), "");
        Directory.CreateDirectory(dev.Combine("nvidia-caps"));
        File.WriteAllText(dev.Combine("nvidia-caps", "nvidia-cap1"), "");

        Assert.Equal(
            [dev.Combine("nvidia-caps", "nvidia-cap1"), dev.Combine("nvidia0"), dev.Combine("nvidiactl")],
            GpuDevices.Find(dev.Path));
        Assert.Empty(GpuDevices.Find(dev.Combine("absent")));
    }

    private static SandboxRequest Request(int gpuCount) => new(
        "/srv/jobs/1/work", "/srv/jobs/1/out", ["/usr/bin/python3", "run.py"], new Dictionary<string, string>(),
        new SandboxLimits(1L << 30, 1000, 64, TimeSpan.FromMinutes(1), 1L << 20, gpuCount));

    private static RunSetup Setup() =>
        new(["--ro-bind", "/usr", "/usr"], null, "/tmp/x/status.json", [], null, [], GpuDevices: HostNodes);

    private static int IndexOf(IReadOnlyList<string> args, string value) => args.ToList().IndexOf(value);
}
