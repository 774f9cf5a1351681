using Microsoft.Extensions.Logging;

namespace OpenGrid.Provider.Sandbox;

internal static partial class SandboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox enforces {Enforced} (cgroup {CgroupVersion})")]
    public static partial void Enforcing(ILogger logger, string enforced, string cgroupVersion);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "bubblewrap not found at {BwrapPath}: install it with `apt-get install -y bubblewrap`")]
    public static partial void BwrapMissing(ILogger logger, string bwrapPath);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No seccomp policy for {Architecture}: jobs run without a syscall filter")]
    public static partial void SeccompUnsupported(ILogger logger, string architecture);

    [LoggerMessage(Level = LogLevel.Information, Message = "cgroup {CgroupVersion} controllers in use: {Enforced}")]
    public static partial void CgroupsDetected(ILogger logger, string cgroupVersion, string enforced);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "cgroup {CgroupVersion} unusable ({Reason}): limits fall back to rlimits")]
    public static partial void CgroupsUnavailable(ILogger logger, string cgroupVersion, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No cgroup hierarchy under {CgroupRoot}: limits fall back to rlimits")]
    public static partial void NoCgroupHierarchy(ILogger logger, string cgroupRoot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cgroup {CgroupVersion} controller {Controller} unusable: {Reason}")]
    public static partial void CgroupControllerUnavailable(ILogger logger, string cgroupVersion, string controller, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "cgroup {CgroupPath} still busy: {Reason}")]
    public static partial void CgroupBusy(ILogger logger, string cgroupPath, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing {CgroupProcs}: left behind by a provider that died")]
    public static partial void SweepingOrphan(ILogger logger, string cgroupProcs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove {Path}, left behind by a provider that died")]
    public static partial void SweepFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sandbox run {RunId} starting {Program}")]
    public static partial void RunStarting(ILogger logger, string runId, string program);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox run {RunId} stopping its process tree: {Reason}")]
    public static partial void Stopping(ILogger logger, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "Sandbox run {RunId}: processes still alive after repeated SIGKILL (uninterruptible sleep?)")]
    public static partial void TreeSurvived(ILogger logger, string runId);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Sandbox run {RunId} ended: {Outcome}, exit code {ExitCode}, {WallMs} ms wall, {CpuMs} ms CPU, {PeakMemoryBytes} bytes peak")]
    public static partial void RunEnded(
        ILogger logger, string runId, SandboxOutcome outcome, int exitCode, long wallMs, long cpuMs, long peakMemoryBytes);
}
