using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;

namespace OpenGrid.Coordinator.Scheduling;

/// <summary>
/// Expires leases whose provider has been silent past heartbeat + grace; <see cref="JobLifecycle.LeaseLostAsync"/>
/// puts their jobs back in the book with backoff. After a coordinator restart every provider counts as seen at
/// start-up, so running providers have a full grace period to reconnect and resume reporting.
/// </summary>
public sealed partial class LeaseMonitor(
    IJobStore store,
    ConnectedProviders providers,
    JobLifecycle lifecycle,
    TimeProvider time,
    IOptions<CoordinatorOptions> options,
    ILogger<LeaseMonitor> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogCheckFailed(e);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Lease check failed")]
    private partial void LogCheckFailed(Exception e);
}
