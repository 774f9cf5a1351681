using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

public sealed class SandboxOutputTests : IDisposable
{
    private readonly SandboxHarness harness = new();

    [Fact]
    public async Task Stdout_and_stderr_arrive_separately_and_the_exit_code_is_propagated()
    {
        var result = await harness.RunShellAsync("echo out; echo err >&2; exit 7");

        Assert.Equal((SandboxOutcome.Exited, 7), (result.Outcome, result.ExitCode));
        Assert.Equal("out\n", harness.Output.Stdout);
        Assert.Equal("err\n", harness.Output.Stderr);
    }

    [Fact]
    public async Task Arguments_reach_the_job_verbatim()
    {
        string[] tricky = ["a b", "$(id)", "'q'", "\"d\"", "`x`", "*", "--", ""];

        var result = await harness.RunAsync(["/usr/bin/printf", "[%s]\\n", .. tricky]);

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        Assert.Equal(string.Concat(tricky.Select(a => $"[{a}]\n")), harness.Output.Stdout);
    }

    [Fact]
    public async Task The_job_sees_only_the_requests_environment_and_the_sandbox_variables()
    {
        var result = await harness.RunAsync(["/usr/bin/env"], env: new Dictionary<string, string> { ["FOO"] = "bar baz" });

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        Assert.Equal(
            // PWD is bwrap's, from --chdir.
            ["FOO=bar baz", "HOME=/work", "OG_OUT=/out", "OG_WORK=/work", "PATH=/usr/local/bin:/usr/bin:/bin", "PWD=/work"],
            harness.Output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Usage_reports_wall_time_cpu_time_and_peak_memory()
    {
        var result = await harness.RunShellAsync("head -c 20M /dev/urandom | md5sum");

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        Assert.True(result.Usage.Wall > TimeSpan.Zero, "wall time");
        Assert.True(result.Usage.Cpu > TimeSpan.Zero, $"CPU time ({harness.Sandbox.Enforcement.CgroupVersion})");
        Assert.True(result.Usage.PeakMemoryBytes > 0, "peak memory");
    }

    [Fact]
    public async Task A_missing_bubblewrap_fails_to_start_with_the_install_command()
    {
        var missing = new BubblewrapSandbox(
            new SandboxOptions { BwrapPath = Path.Combine(harness.Root, "no-bwrap") },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BubblewrapSandbox>.Instance);

        var result = await missing.RunAsync(
            new SandboxRequest(harness.WorkDir, harness.OutDir, ["/usr/bin/true"], new Dictionary<string, string>(), SandboxHarness.Roomy),
            harness.Output.OnOutputAsync,
            CancellationToken.None);

        Assert.Equal(SandboxOutcome.FailedToStart, result.Outcome);
        Assert.Contains("apt-get install -y bubblewrap", result.Detail);
        Assert.Empty(missing.Enforcement.Enforced);
    }

    [Fact]
    public async Task A_program_that_does_not_exist_exits_non_zero_with_the_reason_on_stderr()
    {
        var result = await harness.RunAsync(["/usr/bin/no-such-program"]);

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("/usr/bin/no-such-program", harness.Output.Stderr);
    }

    [Fact]
    public async Task A_work_dir_that_does_not_exist_fails_to_start()
    {
        var result = await harness.Sandbox.RunAsync(
            new SandboxRequest(Path.Combine(harness.Root, "gone"), harness.OutDir, ["/usr/bin/true"], new Dictionary<string, string>(), SandboxHarness.Roomy),
            harness.Output.OnOutputAsync,
            CancellationToken.None);

        Assert.Equal(SandboxOutcome.FailedToStart, result.Outcome);
        Assert.Contains("gone", result.Detail);
    }

    [Fact]
    public void Enforcement_reports_the_cgroup_version_of_this_host()
    {
        var expected = File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "v2"
            : Directory.Exists("/sys/fs/cgroup/memory") ? "v1"
            : "none";

        var enforcement = harness.Sandbox.Enforcement;

        Assert.Equal(("bubblewrap", expected), (enforcement.Runtime, enforcement.CgroupVersion));
        Assert.Superset(
            new HashSet<string> { "namespaces", "no-network", "seccomp", "wall:timer", $"memory:cgroup-{expected}", $"pids:cgroup-{expected}", $"cpu:cgroup-{expected}" },
            enforcement.Enforced.ToHashSet());
    }

    public void Dispose() => harness.Dispose();
}
