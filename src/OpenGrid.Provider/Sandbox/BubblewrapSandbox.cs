using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OpenGrid.Provider.Sandbox;

/// <summary>
/// The <c>process</c> runtime: the job runs under bubblewrap in fresh namespaces (no network) as an unprivileged
/// user, behind a seccomp filter, in its own cgroup (v1 or v2) with rlimits on top. See README.md here.
/// </summary>
public sealed class BubblewrapSandbox : ISandbox
{
    public const string InstallCommand = "apt-get install -y bubblewrap";

    private const int ChunkBytes = 16 * 1024;
    private const int StderrTailBytes = 2 * 1024;

    private readonly SandboxOptions options;
    private readonly ILogger<BubblewrapSandbox> logger;
    private readonly ICgroupHierarchy cgroups;
    private readonly byte[]? seccompProgram;
    private readonly IReadOnlyList<string> rootArguments;
    private readonly (int Uid, int Gid)? jobUser;

    public BubblewrapSandbox(SandboxOptions options, ILogger<BubblewrapSandbox> logger)
    {
        this.options = options;
        this.logger = logger;

        var syscalls = SyscallTable.For(RuntimeInformation.ProcessArchitecture);
        if (syscalls is null)
        {
            SandboxLog.SeccompUnsupported(logger, RuntimeInformation.ProcessArchitecture.ToString());
        }

        seccompProgram = syscalls is null ? null : BpfInstruction.Serialize(SeccompFilter.Build(syscalls));
        // As root the job becomes the (unprivileged) job user; otherwise it keeps the provider's own uid.
        jobUser = Environment.IsPrivilegedProcess ? (this.options.JobUid, this.options.JobGid) : null;
        cgroups = Cgroups.Detect(this.options, logger);
        rootArguments = HostRootLayout.Arguments(this.options.EtcEntries);

        if (!File.Exists(this.options.BwrapPath))
        {
            SandboxLog.BwrapMissing(logger, this.options.BwrapPath);
        }

        Enforcement = new SandboxEnforcement(
            "bubblewrap", cgroups.Version, File.Exists(this.options.BwrapPath) ? EnforcedHere() : []);
        SandboxLog.Enforcing(logger, string.Join(',', Enforcement.Enforced), cgroups.Version);
    }

    public SandboxEnforcement Enforcement { get; }

    public async Task<SandboxResult> RunAsync(
        SandboxRequest request,
        Func<OutputStream, ReadOnlyMemory<byte>, ValueTask> onOutput,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(request.Argv.Count, nameof(request));
        if (!File.Exists(options.BwrapPath))
        {
            SandboxLog.BwrapMissing(logger, options.BwrapPath);
            return NotStarted(
                $"bubblewrap not found at {options.BwrapPath}: install it with `{InstallCommand}` " +
                $"(or set {SandboxOptions.SectionName}:BwrapPath)");
        }

        foreach (var directory in new[] { request.WorkDir, request.OutDir })
        {
            if (!Path.IsPathFullyQualified(directory) || !Directory.Exists(directory))
            {
                return NotStarted($"{directory} is not an existing absolute directory");
            }
        }

        var runId = Guid.NewGuid().ToString("N")[..16];
        var scratch = Directory.CreateDirectory(
            Path.Combine(Path.GetTempPath(), "opengrid-sandbox", runId), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var cgroup = cgroups.Create("run-" + runId, request.Limits);
            await using (cgroup)
            {
                return await RunInCgroupAsync(runId, scratch.FullName, cgroup, request, onOutput, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private async Task<SandboxResult> RunInCgroupAsync(
        string runId,
        string scratch,
        IRunCgroup? cgroup,
        SandboxRequest request,
        Func<OutputStream, ReadOnlyMemory<byte>, ValueTask> onOutput,
        CancellationToken cancellationToken)
    {
        string? seccompFile = null;
        if (seccompProgram is not null)
        {
            seccompFile = Path.Combine(scratch, "seccomp.bpf");
            await File.WriteAllBytesAsync(seccompFile, seccompProgram, CancellationToken.None).ConfigureAwait(false);
        }

        var statusFile = Path.Combine(scratch, "status.json");
        var setup = new RunSetup(
            rootArguments, seccompFile, statusFile, cgroup?.ProcsFiles ?? [], jobUser, Rlimits(request.Limits));
        var startInfo = new ProcessStartInfo(options.ShellPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in BubblewrapCommand.Build(request, options, setup))
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = BubblewrapCommand.SandboxPath;

        SandboxLog.RunStarting(logger, runId, request.Argv[0]);
        var wall = Stopwatch.StartNew();
        using var process = await ProcessStarter.StartAsync(startInfo).ConfigureAwait(false);
        process.StandardInput.Close();

        var output = new OutputPump(onOutput, StderrTailBytes);
        var pumps = Task.WhenAll(
            output.PumpAsync(process.StandardOutput.BaseStream, OutputStream.Stdout),
            output.PumpAsync(process.StandardError.BaseStream, OutputStream.Stderr));

        SandboxOutcome? stoppedBy = null;
        var treeGone = false;
        try
        {
            stoppedBy = await WaitOrStopAsync(process, request.Limits.Timeout, cancellationToken).ConfigureAwait(false);
            if (stoppedBy is { } reason)
            {
                SandboxLog.Stopping(logger, runId, reason);
                await KillTreeAsync(runId, process, cgroup).ConfigureAwait(false);
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await pumps.ConfigureAwait(false);
            // bwrap exits after pid 1 of the job's namespace, whose death takes the namespace down: this is
            // normally a no-op, and a guarantee that nothing of the run outlives RunAsync.
            await KillTreeAsync(runId, process, cgroup).ConfigureAwait(false);
            treeGone = true;
        }
        finally
        {
            if (!treeGone)
            {
                // onOutput threw: leave nothing running behind the exception.
                await KillTreeAsync(runId, process, cgroup).ConfigureAwait(false);
            }
        }

        wall.Stop();
        var stats = cgroup?.ReadStats() ?? new CgroupStats(null, null, 0);
        var started = File.Exists(statusFile) &&
            (await File.ReadAllTextAsync(statusFile, CancellationToken.None).ConfigureAwait(false)).Contains("\"child-pid\"");
        var outcome = stoppedBy
            ?? (!started ? SandboxOutcome.FailedToStart
                : stats.OomKills > 0 ? SandboxOutcome.MemoryLimit
                : SandboxOutcome.Exited);
        var detail = outcome switch
        {
            SandboxOutcome.TimedOut => $"wall-clock limit of {request.Limits.Timeout} reached",
            SandboxOutcome.Cancelled => "cancelled",
            SandboxOutcome.MemoryLimit =>
                $"memory limit of {request.Limits.MemoryBytes} bytes reached ({stats.OomKills} OOM kill(s))",
            SandboxOutcome.FailedToStart => "sandbox did not start: " + output.StderrTail().Trim(),
            _ => null,
        };
        var usage = new SandboxUsage(wall.Elapsed, stats.Cpu ?? TimeSpan.Zero, stats.PeakMemoryBytes ?? 0);
        SandboxLog.RunEnded(
            logger, runId, outcome, process.ExitCode, (long)usage.Wall.TotalMilliseconds,
            (long)usage.Cpu.TotalMilliseconds, usage.PeakMemoryBytes);
        return new SandboxResult(outcome, process.ExitCode, usage, detail);
    }

    /// <summary>Waits for bwrap to exit; returns why it had to be stopped instead, if the wall-clock limit or the
    /// caller's cancellation came first.</summary>
    private static async Task<SandboxOutcome?> WaitOrStopAsync(
        Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = timeout > TimeSpan.Zero
            ? new CancellationTokenSource(timeout)
            : new CancellationTokenSource();
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await process.WaitForExitAsync(either.Token).ConfigureAwait(false);
            return null;
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            return cancellationToken.IsCancellationRequested ? SandboxOutcome.Cancelled : SandboxOutcome.TimedOut;
        }
    }

    /// <summary>With a cgroup, kills everything in it until it is empty. Without one, kills bwrap and its
    /// descendants; pid 1 of the job's namespace dies with bwrap, and the kernel then kills the namespace.</summary>
    private async Task KillTreeAsync(string runId, Process process, IRunCgroup? cgroup)
    {
        if (cgroup is not null)
        {
            if (!await Cgroups.KillAllAsync(cgroup).ConfigureAwait(false))
            {
                SandboxLog.TreeSurvived(logger, runId);
            }

            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private List<string> Rlimits(SandboxLimits limits)
    {
        var rlimits = new List<string> { "--core=0", $"--nofile={options.MaxOpenFiles}" };
        if (limits.DiskBytes > 0)
        {
            rlimits.Add($"--fsize={limits.DiskBytes}");
        }

        if (!cgroups.Enforces("memory") && limits.MemoryBytes > 0)
        {
            rlimits.Add($"--as={limits.MemoryBytes}");
        }

        if (!cgroups.Enforces("pids") && jobUser is not null && limits.Processes > 0)
        {
            // RLIMIT_NPROC counts every process of the job user on the host, so only with a dedicated user.
            rlimits.Add($"--nproc={limits.Processes + CgroupLimits.SandboxProcesses}");
        }

        return rlimits;
    }

    private List<string> EnforcedHere()
    {
        var enforced = new List<string> { "namespaces", "no-network" };
        if (jobUser is { } user)
        {
            enforced.Add($"uid:{user.Uid}");
        }

        if (seccompProgram is not null)
        {
            enforced.Add("seccomp");
        }

        enforced.AddRange(cgroups.Enforced);
        if (!cgroups.Enforces("memory"))
        {
            enforced.Add("memory:rlimit-as");
        }

        if (!cgroups.Enforces("pids") && jobUser is not null)
        {
            enforced.Add("pids:rlimit-nproc");
        }

        enforced.AddRange(["wall:timer", "fsize:rlimit", "nofile:rlimit", "core:rlimit", "tmp:tmpfs-size"]);
        return enforced;
    }

    private static SandboxResult NotStarted(string detail) =>
        new(SandboxOutcome.FailedToStart, -1, new SandboxUsage(TimeSpan.Zero, TimeSpan.Zero, 0), detail);

    /// <summary>Delivers output chunks one at a time (stdout and stderr are read concurrently) and keeps the
    /// end of stderr for the FailedToStart detail.</summary>
    private sealed class OutputPump(Func<OutputStream, ReadOnlyMemory<byte>, ValueTask> onOutput, int tailBytes)
    {
        private readonly SemaphoreSlim gate = new(1, 1);
        private readonly Queue<byte> stderrTail = new();

        public async Task PumpAsync(Stream stream, OutputStream which)
        {
            while (true)
            {
                // A fresh buffer per chunk: the consumer may keep the memory.
                var buffer = new byte[ChunkBytes];
                var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                await gate.WaitAsync().ConfigureAwait(false);
                try
                {
                    if (which == OutputStream.Stderr)
                    {
                        Remember(buffer.AsSpan(0, read));
                    }

                    await onOutput(which, buffer.AsMemory(0, read)).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }
        }

        public string StderrTail()
        {
            lock (stderrTail)
            {
                return Encoding.UTF8.GetString([.. stderrTail]);
            }
        }

        private void Remember(ReadOnlySpan<byte> chunk)
        {
            lock (stderrTail)
            {
                foreach (var b in chunk)
                {
                    stderrTail.Enqueue(b);
                    if (stderrTail.Count > tailBytes)
                    {
                        stderrTail.Dequeue();
                    }
                }
            }
        }
    }
}
