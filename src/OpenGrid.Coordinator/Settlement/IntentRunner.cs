using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpenGrid.Chain;
using OpenGrid.Chain.Escrow;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>An intent the contract refused for good, and why.</summary>
public sealed record RefusedIntent(SettlementIntent Intent, string Code, string Reason);

/// <summary>What one pass did: intents finished (done or refused), and those refused.</summary>
public sealed record RunReport(int Finished, IReadOnlyList<RefusedIntent> Refused);

/// <summary>
/// Drives due intents onto the chain, each job's in the order they were written, several jobs at once. Every send
/// is recorded before it goes out (<c>sent</c>); an intent found <c>sent</c> — the coordinator stopped, or an RPC
/// call failed or timed out after sending — is checked against the lease on chain before anything is sent again,
/// and the contract's own replay guards turn a duplicate that slips through into a revert that counts as done.
/// So each action takes effect exactly once.
/// </summary>
public sealed partial class IntentRunner(
    ISettlementStore store,
    IJobStore jobs,
    SettlementChain chain,
    SettlementSignal signal,
    IOptions<SettlementOptions> options,
    TimeProvider time,
    ILogger<IntentRunner> log)
{
    private const int BatchLimit = 1000;

    /// <summary>Reverts that mean the action already took effect (sent twice, or overtaken by the lease's end).</summary>
    private static readonly HashSet<string> AlreadyDone = ["chain.lease_already_exists", "chain.seconds_not_increasing", "chain.lease_not_open"];

    private enum Outcome { Done, Refused, Retry }

    /// <summary>One pass over the unfinished intents whose retry time has come.</summary>
    /// <exception cref="Exception">The chain could not be connected to, or the store failed: the caller backs off.</exception>
    public async Task<RunReport> RunDueAsync(CancellationToken ct)
    {
        var unfinished = await store.ListUnfinishedAsync(BatchLimit, ct);
        if (unfinished.Count == 0)
            return new RunReport(0, []);
        var session = await chain.ConnectAsync(ct);
        var now = time.GetUtcNow();
        var lanes = unfinished.GroupBy(i => i.Job)
            .Select(g => g.ToList())
            .Where(lane => lane[0].NextTryAt is not { } next || next <= now)
            .ToList();
        var finished = 0;
        var refused = new ConcurrentBag<RefusedIntent>();
        await Parallel.ForEachAsync(lanes, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Concurrency, CancellationToken = ct },
            async (lane, token) =>
            {
                foreach (var intent in lane)
                {
                    var (outcome, refusal) = await RunOneAsync(session, intent, token);
                    if (outcome == Outcome.Retry)
                        break;
                    if (refusal is not null)
                        refused.Add(refusal);
                    Interlocked.Increment(ref finished);
                    signal.Progress();
                }
            });
        return new RunReport(finished, [.. refused]);
    }

    private async Task<(Outcome, RefusedIntent?)> RunOneAsync(ChainSession session, SettlementIntent intent, CancellationToken ct)
    {
        try
        {
            if (intent.Action == SettlementAction.Slash)
                return await SlashAsync(session, intent, ct);
            if (intent.State == IntentState.Sent)
            {
                var lease = await session.Contracts.Escrow.GetLeaseAsync(intent.LeaseId, ct);
                if (TookEffect(intent, lease) is { } why)
                {
                    await store.MarkDoneAsync(intent.Id, null, null, why, time.GetUtcNow(), ct);
                    LogFoundOnChain(intent.Job, intent.Attempt, intent.Action.ToWire(), why);
                    return (Outcome.Done, null);
                }
            }

            // An open goes out under the requester's signed authorization of the job (replicas carry their group's).
            JobAuthorization? authorization = null;
            if (intent.Action == SettlementAction.Open && (authorization = (await jobs.GetJobAsync(intent.Job, ct))?.Authorization) is null)
            {
                const string reason = "the job has no authorization from its requester, and the escrow opens no lease without one";
                await store.MarkFailedAsync(intent.Id, $"{ErrorCodes.EscrowAuthorizationMissing}: {reason}", time.GetUtcNow(), ct);
                LogRefused(intent.Job, intent.Attempt, intent.Action.ToWire(), ErrorCodes.EscrowAuthorizationMissing, reason);
                return (Outcome.Refused, new RefusedIntent(intent, ErrorCodes.EscrowAuthorizationMissing, reason));
            }

            // What is sent is the row as marked: a pending streaming release may have been raised since this pass read it.
            intent = await store.MarkSentAsync(intent.Id, time.GetUtcNow(), ct);
            // Bounded even where the RPC client ignores the token: a send we stop waiting for may still land.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.SendTimeout);
            var tx = await SendAsync(session.Contracts.Escrow, intent, authorization, timeout.Token).WaitAsync(options.Value.SendTimeout, time, ct);
            await session.AwaitConfirmationsAsync(tx, options.Value.Confirmations, options.Value.PollInterval, time, timeout.Token)
                .WaitAsync(options.Value.SendTimeout, time, ct);
            await store.MarkDoneAsync(intent.Id, tx.TransactionHash, (long)tx.GasUsed, $"mined in block {tx.BlockNumber}", time.GetUtcNow(), ct);
            LogSettled(intent.Job, intent.Attempt, intent.Action.ToWire(), tx.TransactionHash, (long)tx.GasUsed);
            return (Outcome.Done, null);
        }
        catch (ContractRevertException e) when (AlreadyDone.Contains(e.Code))
        {
            await store.MarkDoneAsync(intent.Id, null, null, $"already done on chain ({e.Code})", time.GetUtcNow(), ct);
            LogFoundOnChain(intent.Job, intent.Attempt, intent.Action.ToWire(), e.Code);
            return (Outcome.Done, null);
        }
        catch (ContractRevertException e) when (e.ErrorName.Length > 0)
        {
            // The contract refuses this action whatever we do (not enough funds, not allowed): record it and move on.
            await store.MarkFailedAsync(intent.Id, $"{e.Code}: {e.Message}", time.GetUtcNow(), ct);
            LogRefused(intent.Job, intent.Attempt, intent.Action.ToWire(), e.Code, e.Message);
            return (Outcome.Refused, new RefusedIntent(intent, e.Code, e.Message));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // An RPC error, a timeout, or a transaction that failed without a reason: whether it took effect is
            // unknown, so the next try reads the lease first (the intent stays as it was: sent if it got that far).
            await session.ResetNonceAsync();
            var failures = intent.Failures + 1;
            var next = time.GetUtcNow() + options.Value.BackoffAfter(failures);
            await store.ScheduleRetryAsync(intent.Id, next, e.Message, time.GetUtcNow(), CancellationToken.None);
            LogRetry(e, intent.Job, intent.Attempt, intent.Action.ToWire(), failures, next);
            return (Outcome.Retry, null);
        }
    }

    /// <summary>
    /// Slashes a provider caught by a canary: at most its stake (the registry refuses more), nothing when it has none;
    /// a slash already on chain with this intent's reason is not sent again.
    /// </summary>
    private async Task<(Outcome, RefusedIntent?)> SlashAsync(ChainSession session, SettlementIntent intent, CancellationToken ct)
    {
        var registry = session.Contracts.Registry;
        if (intent.State == IntentState.Sent && await registry.WasSlashedForAsync(intent.Provider.Value, intent.SlashReason, ct))
        {
            await store.MarkDoneAsync(intent.Id, null, null, "the slash is on chain", time.GetUtcNow(), ct);
            LogFoundOnChain(intent.Job, intent.Attempt, intent.Action.ToWire(), "slashed");
            return (Outcome.Done, null);
        }
        var stake = await registry.GetStakeAsync(intent.Provider.Value, ct);
        var amount = Math.Min(intent.Cap.BaseUnits, stake.Bonded.BaseUnits + stake.Unbonding.BaseUnits);
        if (amount <= 0)
        {
            await store.MarkDoneAsync(intent.Id, null, null, "the provider has no stake to slash", time.GetUtcNow(), ct);
            return (Outcome.Done, null);
        }
        await store.MarkSentAsync(intent.Id, time.GetUtcNow(), ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.SendTimeout);
        var tx = await registry.SlashAsync(intent.Provider.Value, TokenAmount.FromBaseUnits(amount), null, intent.SlashReason, timeout.Token)
            .WaitAsync(options.Value.SendTimeout, time, ct);
        await session.AwaitConfirmationsAsync(tx, options.Value.Confirmations, options.Value.PollInterval, time, timeout.Token)
            .WaitAsync(options.Value.SendTimeout, time, ct);
        await store.MarkDoneAsync(intent.Id, tx.TransactionHash, (long)tx.GasUsed, $"slashed {TokenAmount.FromBaseUnits(amount)}", time.GetUtcNow(), ct);
        LogSettled(intent.Job, intent.Attempt, intent.Action.ToWire(), tx.TransactionHash, (long)tx.GasUsed);
        return (Outcome.Done, null);
    }

    private static Task<TxOutcome> SendAsync(EscrowClient escrow, SettlementIntent i, JobAuthorization? authorization, CancellationToken ct) => i.Action switch
    {
        SettlementAction.Open => escrow.OpenLeaseAsync(i.LeaseId, i.Requester.Value, i.Provider.Value, i.RatePerHour, i.Cap, authorization!, ct),
        SettlementAction.Release when i.Mode == PaymentMode.Streaming => escrow.ReleaseStreamingAsync(i.LeaseId, i.Seconds, ct),
        SettlementAction.Release => escrow.ReleaseMilestoneAsync(i.LeaseId, i.Seconds, ct),
        _ => escrow.CloseLeaseAsync(i.LeaseId, ct),
    };

    /// <summary>Why the lease on chain shows the intent already took effect (or can no longer), or null to send it.</summary>
    internal static string? TookEffect(SettlementIntent intent, EscrowLease? lease) => intent.Action switch
    {
        SettlementAction.Open when lease is not null => $"the lease is on chain ({lease.Status})",
        SettlementAction.Release when lease is null => "no lease on chain: nothing to pay",
        SettlementAction.Release when lease.Status is EscrowLeaseStatus.Completed or EscrowLeaseStatus.Closed =>
            $"the lease is {lease.Status} with {lease.PaidSeconds} s paid",
        SettlementAction.Release when lease.PaidSeconds >= intent.Seconds => $"{lease.PaidSeconds} s already paid",
        SettlementAction.Close when lease is null => "no lease on chain: nothing to refund",
        SettlementAction.Close when lease.Status == EscrowLeaseStatus.Closed => "the lease is closed",
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt}: {Action} mined ({TxHash}, {Gas} gas)")]
    private partial void LogSettled(JobId jobId, int attempt, string action, string txHash, long gas);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt}: {Action} had already taken effect: {Why}")]
    private partial void LogFoundOnChain(JobId jobId, int attempt, string action, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: the escrow refused {Action}: {Code} {Reason}")]
    private partial void LogRefused(JobId jobId, int attempt, string action, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: {Action} failed (failure {Failures}); retrying at {NextTry}")]
    private partial void LogRetry(Exception e, JobId jobId, int attempt, string action, int failures, DateTimeOffset nextTry);
}
