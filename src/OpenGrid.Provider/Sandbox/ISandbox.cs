namespace OpenGrid.Provider.Sandbox;

/// <summary>Runs one job's process tree isolated from the host. One implementation per runtime kind.</summary>
public interface ISandbox
{
    /// <summary>What this sandbox enforces on this host (shown by <c>og providers</c>).</summary>
    SandboxEnforcement Enforcement { get; }

    /// <summary>
    /// Runs <see cref="SandboxRequest.Argv"/> and returns when the whole process tree is gone. Output is delivered
    /// to <paramref name="onOutput"/> as it is produced. Cancelling <paramref name="cancellationToken"/> kills the
    /// whole tree and yields <see cref="SandboxOutcome.Cancelled"/> (it does not throw).
    /// </summary>
    Task<SandboxResult> RunAsync(
        SandboxRequest request,
        Func<OutputStream, ReadOnlyMemory<byte>, ValueTask> onOutput,
        CancellationToken cancellationToken);
}

/// <summary>A job to run. WorkDir is mounted read-write at <c>/work</c> (the cwd), OutDir at <c>/out</c>.</summary>
public sealed record SandboxRequest(
    string WorkDir,
    string OutDir,
    IReadOnlyList<string> Argv,
    IReadOnlyDictionary<string, string> Env,
    SandboxLimits Limits);

/// <summary>Limits: memory and disk in bytes, CPU in millicores (1000 = one core), process count, wall time, and the
/// GPUs asked for (0: the job sees no GPU device).</summary>
public sealed record SandboxLimits(long MemoryBytes, long CpuMillis, int Processes, TimeSpan Timeout, long DiskBytes, int GpuCount = 0);

public enum SandboxOutcome
{
    /// <summary>The main process exited by itself; see <see cref="SandboxResult.ExitCode"/>.</summary>
    Exited,
    TimedOut,
    MemoryLimit,
    Cancelled,
    FailedToStart,
}

public enum OutputStream { Stdout, Stderr }

/// <summary>Resource usage: wall time, CPU time (user+system of the whole tree), peak resident memory.</summary>
public sealed record SandboxUsage(TimeSpan Wall, TimeSpan Cpu, long PeakMemoryBytes);

/// <summary>How a run ended. ExitCode is the process's exit status (128+signal when killed).</summary>
public sealed record SandboxResult(SandboxOutcome Outcome, int ExitCode, SandboxUsage Usage, string? Detail);

/// <summary>What is enforced: runtime name, cgroup hierarchy (<c>v1</c>, <c>v2</c>, <c>none</c>) and the list of
/// mechanisms in force, e.g. <c>namespaces</c>, <c>seccomp</c>, <c>memory:cgroup</c>, <c>pids:rlimit</c>.</summary>
public sealed record SandboxEnforcement(string Runtime, string CgroupVersion, IReadOnlyList<string> Enforced);
