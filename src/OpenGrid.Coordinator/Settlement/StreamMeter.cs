using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// Pays streaming leases while they run: every <see cref="SettlementOptions.StreamInterval"/> it asks
/// <see cref="SettlementLedger.IntervalAsync"/> to record, for each running lease paid per interval, a release up to the
/// seconds the coordinator has seen it run. Runs only with settlement on; a failed tick is logged and the next one tries
/// again (the seconds are cumulative, so a missed tick is paid by the next).
/// </summary>
public sealed partial class StreamMeter(
    SettlementChain chain,
    IJobStore jobs,
    SettlementLedger ledger,
    IOptions<SettlementOptions> options,
    TimeProvider time,
    ILogger<StreamMeter> log) : BackgroundService
{
    private PeriodicTimer? _timer;

    /// <summary>Starts the interval clock now, so the first interval ends one interval after start, however late the
    /// background loop gets to run.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (chain.Enabled)
            _timer = new PeriodicTimer(options.Value.StreamInterval, time);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_timer is not { } timer)
            return;
        using var owned = timer;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogTickFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One interval: a release recorded for each running streaming lease whose observed seconds pay more; returns how many.</summary>
    public async Task<int> TickAsync(CancellationToken ct)
    {
        var recorded = 0;
        foreach (var job in await jobs.ListActiveAsync(ct))
        {
            if (job.State == JobState.Running && StreamingUsage.PaysPerInterval(job) && await ledger.IntervalAsync(job, ct))
                recorded++;
        }
        return recorded;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Streaming interval failed; the next interval pays what this one missed")]
    private partial void LogTickFailed(Exception e);
}
