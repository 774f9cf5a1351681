using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

public sealed class SandboxLimitTests : IDisposable
{
    private const string PrintPidNamespace = "readlink /proc/self/ns/pid";

    private readonly SandboxHarness harness = new();

    [Fact]
    public async Task A_job_is_killed_at_its_memory_limit()
    {
        var limits = SandboxHarness.Roomy with { MemoryBytes = 64L << 20 };

        // tail keeps the whole newline-free input in memory: 300 MiB against a 64 MiB limit.
        var result = await harness.RunShellAsync("head -c 300M /dev/zero | tail > /dev/null", limits);

        Assert.Equal(SandboxOutcome.MemoryLimit, result.Outcome);
        Assert.NotEqual(0, result.ExitCode);
        Assert.InRange(result.Usage.PeakMemoryBytes, 1, limits.MemoryBytes);
    }

    [Fact]
    public async Task A_job_is_stopped_at_its_timeout_and_the_run_returns_promptly()
    {
        var limits = SandboxHarness.Roomy with { Timeout = TimeSpan.FromSeconds(1) };

        var result = await harness.RunAsync(["/usr/bin/sleep", "600"], limits).WaitAsync(SandboxHarness.Patience);

        Assert.Equal(SandboxOutcome.TimedOut, result.Outcome);
        Assert.InRange(result.Usage.Wall, limits.Timeout, SandboxHarness.Patience);
    }

    [Fact]
    public async Task A_fork_bomb_is_contained_by_the_process_limit()
    {
        var limits = SandboxHarness.Roomy with { Processes = 32, CpuMillis = 500, Timeout = TimeSpan.FromSeconds(3) };

        var run = harness.RunShellAsync($"{PrintPidNamespace}; f() {{ f | f & }}; f; sleep 600", limits);
        var result = await run.WaitAsync(SandboxHarness.Patience);

        Assert.Equal(SandboxOutcome.TimedOut, result.Outcome);
        // bash reports every fork the pids limit refused.
        Assert.Contains("fork: retry: Resource temporarily unavailable", harness.Output.Stderr);
        Assert.Empty(HostProcesses.InPidNamespace(harness.Output.Stdout.Trim()));
    }

    [Fact]
    public async Task Cancelling_a_run_kills_its_whole_process_tree()
    {
        using var cancel = new CancellationTokenSource();
        var run = harness.RunShellAsync(
            $"sleep 600 & sleep 600 & {PrintPidNamespace}; echo started; wait", cancellationToken: cancel.Token);
        await harness.Output.WaitForStdoutAsync("started");
        var pidNamespace = harness.Output.Stdout.Split('\n')[0];
        var sleepers = HostProcesses.InPidNamespace(pidNamespace).Where(p => p.CommandLine == "sleep 600").ToList();
        Assert.Equal(2, sleepers.Count);

        await cancel.CancelAsync();
        var result = await run.WaitAsync(SandboxHarness.Patience);

        Assert.Equal(SandboxOutcome.Cancelled, result.Outcome);
        Assert.Empty(HostProcesses.InPidNamespace(pidNamespace));
    }

    [Fact]
    public async Task A_job_cannot_write_a_file_larger_than_its_disk_limit()
    {
        var limits = SandboxHarness.Roomy with { DiskBytes = 1L << 20 };

        var result = await harness.RunShellAsync("head -c 2M /dev/zero > /out/big", limits);

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(limits.DiskBytes, new FileInfo(Path.Combine(harness.OutDir, "big")).Length);
    }

    [Fact]
    public async Task An_exception_from_the_output_callback_stops_the_run_and_reaches_the_caller()
    {
        var pidNamespace = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var request = new SandboxRequest(
            harness.WorkDir, harness.OutDir, ["/usr/bin/bash", "-c", $"{PrintPidNamespace}; exec sleep 600"],
            new Dictionary<string, string>(), SandboxHarness.Roomy);

        var run = harness.Sandbox.RunAsync(
            request,
            (_, chunk) =>
            {
                pidNamespace.TrySetResult(System.Text.Encoding.UTF8.GetString(chunk.Span).Trim());
                throw new InvalidOperationException("log sink is gone");
            },
            CancellationToken.None);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(SandboxHarness.Patience));
        Assert.Equal("log sink is gone", thrown.Message);
        Assert.Empty(HostProcesses.InPidNamespace(await pidNamespace.Task));
    }

    public void Dispose() => harness.Dispose();
}
