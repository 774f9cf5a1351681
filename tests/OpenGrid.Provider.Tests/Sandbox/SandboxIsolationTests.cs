using System.Net;
using System.Net.Sockets;
using OpenGrid.Provider.Sandbox;

namespace OpenGrid.Provider.Tests.Sandbox;

public sealed class SandboxIsolationTests : IDisposable
{
    private readonly SandboxHarness harness = new();

    [Fact]
    public async Task A_job_cannot_reach_a_tcp_listener_on_the_hosts_loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await harness.RunShellAsync($"echo hello > /dev/tcp/127.0.0.1/{port} && echo connected");

        Assert.Equal((SandboxOutcome.Exited, 1), (result.Outcome, result.ExitCode));
        Assert.DoesNotContain("connected", harness.Output.Stdout);
        Assert.False(listener.Pending(), "the listener saw a connection from the job");
    }

    [Fact]
    public async Task A_job_writes_to_its_work_and_out_dirs_and_nowhere_else()
    {
        // A host directory anyone may write to: only the sandbox stands between the job and it.
        var decoy = Directory.CreateDirectory(Path.Combine(harness.Root, "decoy"));
        File.SetUnixFileMode(decoy.FullName, (UnixFileMode)0b111_111_111);
        string[] forbidden = ["/og-probe", "/usr/og-probe", "/etc/og-probe", "/bin/og-probe", "/dev/og-probe",
            "/proc/sys/kernel/hostname", "/sys/og-probe", Path.Combine(decoy.FullName, "og-probe")];

        var result = await harness.RunShellAsync(
            "for p in " + string.Join(' ', forbidden) + "; do " +
            "if echo x 2>/dev/null > \"$p\"; then echo \"wrote $p\"; else echo \"refused $p\"; fi; done; " +
            "echo from-job > /work/result.txt && echo from-job > /out/result.txt");

        Assert.Equal((SandboxOutcome.Exited, 0), (result.Outcome, result.ExitCode));
        Assert.Equal(string.Concat(forbidden.Select(p => $"refused {p}\n")), harness.Output.Stdout);
        Assert.Empty(decoy.EnumerateFileSystemInfos());
        Assert.Equal("from-job\n", File.ReadAllText(Path.Combine(harness.WorkDir, "result.txt")));
        Assert.Equal("from-job\n", File.ReadAllText(Path.Combine(harness.OutDir, "result.txt")));
    }

    [Fact]
    public async Task A_job_runs_without_root_and_without_capabilities()
    {
        var result = await harness.RunShellAsync("id -u; grep CapEff /proc/self/status");

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        var lines = harness.Output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEqual("0", lines[0]);
        Assert.Equal("CapEff:\t0000000000000000", lines[1]);
    }

    [Fact]
    public async Task Seccomp_refuses_inet_sockets_before_any_connection_is_attempted()
    {
        var result = await harness.RunShellAsync("echo > /dev/tcp/127.0.0.1/9");

        Assert.Equal((SandboxOutcome.Exited, 1), (result.Outcome, result.ExitCode));
        // Without the filter the empty network namespace would answer "Connection refused" instead.
        Assert.Contains("socket: Operation not permitted", harness.Output.Stderr);
    }

    [Fact]
    public async Task Seccomp_refuses_new_namespaces()
    {
        var result = await harness.RunShellAsync("unshare --user --map-root-user true");

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Operation not permitted", harness.Output.Stderr);
    }

    [Fact]
    public async Task Seccomp_still_allows_unix_sockets()
    {
        // logger opens an AF_UNIX socket, then fails to connect: the failure names the path, not the socket call.
        var result = await harness.RunShellAsync("logger --socket-errors=on -u /work/no-such-socket hello");

        Assert.Equal(SandboxOutcome.Exited, result.Outcome);
        Assert.Contains("No such file or directory", harness.Output.Stderr);
        Assert.DoesNotContain("Operation not permitted", harness.Output.Stderr);
    }

    public void Dispose() => harness.Dispose();
}
