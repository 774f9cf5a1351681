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
    ILogger<SchedulerWorker> log) : BackgroundService
{
    private static readonly TimeSpan SafetyInterval = TimeSpan.FromSeconds(5);

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
        var queued = await store.ListQueuedAsync(1000, ct);
        if (queued.Count == 0)
            return;
        var sessions = providers.Online;
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
