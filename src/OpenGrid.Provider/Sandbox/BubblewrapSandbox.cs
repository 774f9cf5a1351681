using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenGrid.Provider.Runners;

namespace OpenGrid.Provider.Sandbox;

/// <summary>
/// The <c>process</c> runtime: the job runs under bubblewrap in fresh namespaces (no network) as an unprivileged
/// user, behind a seccomp filter, in its own cgroup (v1 or v2) with rlimits on top. See README.md here.
/// </summary>
public sealed class BubblewrapSandbox : ISandbox
{
    public const string InstallCommand = "apt-get install -y bubblewrap";

    private const string CgroupPrefix = "run-";
    private const string ScratchPrefix = "opengrid-sandbox-";
    private const int ChunkBytes = 16 * 1024;
    private const int StderrTailBytes = 2 * 1024;

    /// <summary>CancellationTokenSource timers stop at about 49 days; a longer timeout means none.</summary>
    private static readonly TimeSpan LongestTimer = TimeSpan.FromDays(49);

    private readonly SandboxOptions options;
    private readonly ILogger<BubblewrapSandbox> logger;
    private readonly ICgroupHierarchy cgroups;
    private readonly byte[]? seccompProgram;
    private readonly IReadOnlyList<string> rootArguments;
    private readonly string jobPath;
    private readonly (int Uid, int Gid)? jobUser;
    private readonly Lazy<Task> sweep;
    private readonly IReadOnlyList<string> gpuDevices;

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
        rootArguments = [
            .. HostRootLayout.Arguments(this.options.EtcEntries), .. RunnerMounts.Arguments(this.options.RunnerDirectories),
        ];
        jobPath = RunnerMounts.JobPath(this.options.RunnerDirectories.Length, BubblewrapCommand.SandboxPath);
        gpuDevices = GpuDevices.Find("/dev");

        if (!File.Exists(this.options.BwrapPath))
        {
            SandboxLog.BwrapMissing(logger, this.options.BwrapPath);
        }

        sweep = new Lazy<Task>(SweepOrphansAsync);
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

        await sweep.Value.ConfigureAwait(false);
        var runId = RunOwner.Tag + Guid.NewGuid().ToString("N")[..12];
        // Private (0700) to the provider: holds the seccomp program and bwrap's status.
        var scratch = Directory.CreateTempSubdirectory(ScratchPrefix + RunOwner.Tag);
        try
        {
            var cgroup = cgroups.Create(CgroupPrefix + runId, request.Limits);
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
            rootArguments, seccompFile, statusFile, cgroup?.ProcsFiles ?? [], jobUser, Rlimits(request.Limits), jobPath, gpuDevices);
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

        var stop = StopReason.None;
        var treeGone = false;
        try
        {
            stop = await WaitOrStopAsync(process, output.Failed, request.Limits.Timeout, cancellationToken)
                .ConfigureAwait(false);
            if (stop != StopReason.None)
            {
                SandboxLog.Stopping(logger, runId, stop.ToString());
                await StopTreeAsync(runId, process, cgroup, statusFile).ConfigureAwait(false);
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            // Rethrows what onOutput threw, once the tree is gone.
            await pumps.ConfigureAwait(false);
            // bwrap exits after pid 1 of the job's namespace, whose death takes the namespace down: this is
            // normally a no-op, and a guarantee that nothing of the run outlives RunAsync.
            await StopTreeAsync(runId, process, cgroup, statusFile).ConfigureAwait(false);
            treeGone = true;
        }
        finally
        {
            if (!treeGone)
            {
                // onOutput threw: leave nothing running behind the exception.
                await StopTreeAsync(runId, process, cgroup, statusFile).ConfigureAwait(false);
            }
        }

        wall.Stop();
        var stats = cgroup?.ReadStats() ?? new CgroupStats(null, null, 0);
        var started = BubblewrapStatus.ChildPid(statusFile) is not null;
        var outcome = stop switch
        {
            StopReason.TimedOut => SandboxOutcome.TimedOut,
            StopReason.Cancelled => SandboxOutcome.Cancelled,
            _ => !started ? SandboxOutcome.FailedToStart
                : stats.OomKills > 0 ? SandboxOutcome.MemoryLimit
                : SandboxOutcome.Exited,
        };
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

    /// <summary>Removes what runs of a provider that died (killed, crashed) left behind: its cgroups, after killing
    /// anything still in them, and its scratch dirs. Runs of live providers are left alone.</summary>
    private async Task SweepOrphansAsync()
    {
        // Housekeeping: a failure is logged and must not stop runs.
        foreach (var orphan in cgroups.Existing(name => RunOwner.IsOrphan(name, CgroupPrefix)))
        {
            SandboxLog.SweepingOrphan(logger, orphan.ProcsFiles[0]);
            try
            {
                await using (orphan)
                {
                    await Cgroups.KillAllAsync(orphan).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                SandboxLog.SweepFailed(logger, orphan.ProcsFiles[0], ex);
            }
        }

        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), ScratchPrefix + "*"))
        {
            if (RunOwner.IsOrphan(Path.GetFileName(directory), ScratchPrefix))
            {
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    SandboxLog.SweepFailed(logger, directory, ex);
                }
            }
        }
    }

    /// <summary>Waits for bwrap to exit; returns why it had to be stopped instead: the wall-clock limit, the
    /// caller's cancellation, or output delivery that threw (nobody reads the job's pipes any more).</summary>
    private static async Task<StopReason> WaitOrStopAsync(
        Process process, Task outputFailed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource();
        if (timeout > TimeSpan.Zero && timeout < LongestTimer)
        {
            timer.CancelAfter(timeout);
        }

        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        var exited = process.WaitForExitAsync(either.Token);
        if (await Task.WhenAny(exited, outputFailed).ConfigureAwait(false) == outputFailed)
        {
            return StopReason.OutputFailed;
        }

        try
        {
            await exited.ConfigureAwait(false);
            return StopReason.None;
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            return cancellationToken.IsCancellationRequested ? StopReason.Cancelled : StopReason.TimedOut;
        }
    }

    /// <summary>
    /// Stops the run; returns once bwrap has been reaped and the run's cgroup is empty. Killing bwrap's child,
    /// pid 1 of the job's pid namespace, makes the kernel kill the whole namespace while bwrap, still alive, reaps
    /// it, so no zombie is left to the host's init. Anything else in the cgroup (a run stopped before its
    /// namespace existed) is killed until none is left.
    /// </summary>
    private async Task StopTreeAsync(string runId, Process process, IRunCgroup? cgroup, string statusFile)
    {
        if (!process.HasExited)
        {
            if (BubblewrapStatus.ChildPid(statusFile) is { } child && BubblewrapStatus.IsChildOf(child, process.Id))
            {
                Signals.Kill(child);
            }
            else
            {
                process.Kill(entireProcessTree: true);
            }
        }

        var emptied = cgroup is null || await Cgroups.KillAllAsync(cgroup, spare: process.Id).ConfigureAwait(false);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        emptied = emptied && (cgroup is null || await Cgroups.KillAllAsync(cgroup).ConfigureAwait(false));
        if (!emptied)
        {
            SandboxLog.TreeSurvived(logger, runId);
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

    private enum StopReason
    {
        None,
        TimedOut,
        Cancelled,
        OutputFailed,
    }

    private static SandboxResult NotStarted(string detail) =>
        new(SandboxOutcome.FailedToStart, -1, new SandboxUsage(TimeSpan.Zero, TimeSpan.Zero, 0), detail);

    /// <summary>Delivers output chunks one at a time (stdout and stderr are read concurrently) and keeps the
    /// end of stderr for the FailedToStart detail.</summary>
    private sealed class OutputPump(Func<OutputStream, ReadOnlyMemory<byte>, ValueTask> onOutput, int tailBytes)
    {
        private readonly SemaphoreSlim gate = new(1, 1);
        private readonly Queue<byte> stderrTail = new();
        private readonly TaskCompletionSource failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when <c>onOutput</c> first throws.</summary>
        public Task Failed => failed.Task;

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
                catch
                {
                    failed.TrySetResult();
                    throw;
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
