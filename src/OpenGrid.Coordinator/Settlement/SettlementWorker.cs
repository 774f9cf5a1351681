using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Verification;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// Runs settlement in the background (only when it is on): first writes any intents a crash left out (and judges the
/// canary answers whose pay a crash left waiting on their judgement), then drives
/// due intents whenever the lifecycle writes some and at least every poll interval. A lease the escrow refuses to
/// open (the requester withdrew its deposit meanwhile) fails its job. Chain or store trouble is logged and retried
/// with backoff; nothing here ever blocks a job.
/// </summary>
public sealed partial class SettlementWorker(
    SettlementChain chain,
    SettlementLedger ledger,
    IntentRunner runner,
    JobLifecycle lifecycle,
    Canaries canaries,
    SettlementSignal signal,
    IOptions<SettlementOptions> options,
    TimeProvider time,
    ILogger<SettlementWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!chain.Enabled)
            return;
        var reconciled = false;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signal.NextWork();
            var wait = options.Value.PollInterval;
            try
            {
                if (!reconciled)
                {
                    await ledger.ReconcileAsync(stoppingToken);
                    await canaries.ResumeAsync(stoppingToken);
                    reconciled = true;
                }
                var report = await runner.RunDueAsync(stoppingToken);
                failures = 0;
                // chain.* codes are the escrow's own reverts; escrow.* ones the worker's refusal to send a doomed open.
                foreach (var refused in report.Refused.Where(r => r.Intent.Action == SettlementAction.Open))
                    await lifecycle.EscrowRefusedAsync(refused.Intent.Job, refused.Intent.Attempt,
                        refused.Code.StartsWith("chain.", StringComparison.Ordinal)
                            ? $"the escrow refused to open the lease ({refused.Code}): {refused.Reason}"
                            : $"no lease could be opened ({refused.Code}): {refused.Reason}", stoppingToken);
                if (report.Finished > 0)
                    continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                wait = options.Value.BackoffAfter(failures);
                LogPassFailed(e, failures, wait);
            }

            try
            {
                // After a failure, wait out the backoff even if intents keep arriving.
                await (failures > 0 ? Task.Delay(wait, time, stoppingToken) : wake.WaitAsync(wait, time, stoppingToken));
            }
            catch (TimeoutException)
            {
                // Nothing woke us: look for due retries.
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settlement pass failed (failure {Failures}); next try in {Wait}")]
    private partial void LogPassFailed(Exception e, int failures, TimeSpan wait);
}
