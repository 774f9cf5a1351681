using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Core.Market;

namespace OpenGrid.Coordinator.Scheduling;

/// <summary>
/// Runs matching rounds: snapshots the order book, asks the pure <see cref="Matcher"/> for a plan, and applies it —
/// leases for the matches, failures for bids past their deadline. Runs when something changed (a submit, a provider
/// joining, a lease ending) and every half second, which is also the resolution of retry backoff.
/// </summary>
public sealed partial class SchedulerWorker(
    OrderBook book,
    Matcher matcher,
    ConnectedProviders providers,
    JobLifecycle lifecycle,
    JobSignals signals,
    TimeProvider time,
    ILogger<SchedulerWorker> log) : BackgroundService
{
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
                await wake.WaitAsync(SafetyInterval, time, stoppingToken);
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
        var (bids, offers) = await book.SnapshotAsync(ct);
        if (bids.Count == 0)
            return;
        var plan = matcher.Plan(bids, offers, time.GetUtcNow());
        foreach (var match in plan.Matches)
        {
            if (providers.TryGet(match.Provider, out var session))
                await lifecycle.AssignAsync(match.Job, session, match.PricePerHour, ct);
        }
        foreach (var expiry in plan.Expired)
            await lifecycle.ExpireAsync(expiry.Job, expiry.Reason, ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Matching round failed")]
    private partial void LogRoundFailed(Exception e);
}
