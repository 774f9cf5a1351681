using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Verification;

namespace OpenGrid.Coordinator.Scheduling;

/// <summary>
/// Expires leases whose provider has been silent past heartbeat + grace; <see cref="JobLifecycle.LeaseLostAsync"/>
/// puts their jobs back in the book with backoff. After a coordinator restart every provider counts as seen at
/// start-up, so running providers have a full grace period to reconnect and resume reporting. Before its first check it
/// takes the verification verdicts a restart interrupted (<see cref="ReplicaGroups.ResumeVerdictsAsync"/>).
/// </summary>
public sealed partial class LeaseMonitor(
    IJobStore store,
    ConnectedProviders providers,
    JobLifecycle lifecycle,
    ReplicaGroups groups,
    TimeProvider time,
    IOptions<CoordinatorOptions> options,
    ILogger<LeaseMonitor> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var resumed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!resumed)
                {
                    if (await groups.ResumeVerdictsAsync(stoppingToken) is var count and > 0)
                        LogResumed(count);
                    resumed = true;
                }
                await CheckAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogCheckFailed(e);
            }
            try
            {
                await Task.Delay(Interval, time, stoppingToken); // after a failure too: no busy retry
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task CheckAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var timeout = options.Value.LeaseTimeout;
        var restartGrace = TimeSpan.FromSeconds(options.Value.RestartGraceSeconds);
        foreach (var job in await store.ListActiveAsync(ct))
        {
            var attempt = job.CurrentAttempt!;
            var lastSeen = providers.LastSeen(attempt.Provider);
            // Not heard from since this coordinator started: it may still be dialling back in.
            var allowed = lastSeen == providers.StartedAt ? Max(timeout, restartGrace) : timeout;
            var silent = now - lastSeen;
            if (silent > allowed)
            {
                await lifecycle.LeaseLostAsync(job, attempt.Epoch,
                    $"provider silent for {silent.TotalSeconds:0.#}s (heartbeat {options.Value.HeartbeatSeconds}s + grace {options.Value.LeaseGraceSeconds}s)", ct);
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Looked again at {Count} job(s) waiting in verifying since before the start")]
    private partial void LogResumed(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lease check failed")]
    private partial void LogCheckFailed(Exception e);
}
