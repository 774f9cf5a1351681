using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Scheduling;

namespace OpenGrid.Coordinator.Scheduling;

/// <summary>
/// Applies placement: takes a snapshot of queued jobs and connected providers, asks the pure
/// <see cref="IPlacement"/> for a plan, and leases each match. Runs when something changed, and every few seconds
/// as a safety net.
/// </summary>
public sealed partial class SchedulerWorker(
    IJobStore store,
    ConnectedProviders providers,
    IPlacement placement,
    JobLifecycle lifecycle,
    JobSignals signals,
    TimeProvider time,
    IOptions<CoordinatorOptions> options,
    ILogger<SchedulerWorker> log) : BackgroundService
{
    // Also the resolution of retry backoff: a requeued job becomes eligible at its not-before time.
    private static readonly TimeSpan SafetyInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signals.NextSchedulingChance();
            try
            {
                await RunRoundAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRoundFailed(e);
            }
            try
            {
                await wake.WaitAsync(SafetyInterval, stoppingToken);
            }
            catch (TimeoutException)
            {
                // Periodic round.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    internal async Task RunRoundAsync(CancellationToken ct)
    {
        var queued = await store.ListQueuedAsync(time.GetUtcNow(), 1000, ct);
        if (queued.Count == 0)
            return;
        var draining = await store.ListDrainingAsync(ct);
        var now = time.GetUtcNow();
        // A provider still connected but silent past its lease timeout (paused, wedged) is not offered work.
        var sessions = providers.Online
            .Where(s => !draining.Contains(s.Address) && now - s.LastSeen <= options.Value.LeaseTimeout)
            .ToList();
        var slots = new List<ProviderSlot>(sessions.Count);
        foreach (var s in sessions)
        {
            var busy = (await store.ListActiveForProviderAsync(s.Address, ct)).Count > 0;
            slots.Add(new ProviderSlot(s.Address, s.Capacity, busy));
        }
        var plan = placement.Plan(queued.Select(j => new PendingJob(j.Id, j.Spec.Resources, j.Spec.Requires)).ToList(), slots);
        foreach (var (job, provider) in plan.Assignments)
        {
            if (providers.TryGet(provider, out var session))
                await lifecycle.AssignAsync(job, session, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduling round failed")]
    private partial void LogRoundFailed(Exception e);
}
