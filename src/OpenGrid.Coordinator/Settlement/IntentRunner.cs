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

    private readonly KeyedLock _authorizations = new();

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
        // One lane per job, its attempts in order: a lost attempt's release and close go out before its retry's open,
        // even when a restart wrote them after it (the retry's cap counts on that close's refund).
        var lanes = unfinished.GroupBy(i => i.Job)
            .Select(g => g.OrderBy(i => i.Attempt).ThenBy(i => i.Id).ToList())
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
            return intent.Action switch
            {
                SettlementAction.Slash => await SlashAsync(session, intent, ct),
                SettlementAction.Open => await OpenAsync(session, intent, ct),
                _ => await ReleaseOrCloseAsync(session, intent, ct),
            };
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
            return await RefuseAsync(intent, e.Code, e.Message, ct);
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
    /// Opens the attempt's lease under the requester's signed authorization of the job (replicas carry their group's),
    /// with its full cap lowered to what the authorization still allows: <c>maxTotal − committedOf(requester, job)</c>,
    /// read from the escrow, where a lost attempt's lease — closed before its retry opens, the lane sends them in
    /// order — still counts what it was paid. Nothing is sent when that leaves less than a second's pay. The cap is
    /// recorded with the sent mark, so a resend after a restart sends the same cap and the lease's releases are bounded
    /// by it.
    /// </summary>
    private async Task<(Outcome, RefusedIntent?)> OpenAsync(ChainSession session, SettlementIntent intent, CancellationToken ct)
    {
        if (intent.State == IntentState.Sent && await FoundOnChainAsync(session, intent, ct))
            return (Outcome.Done, null);
        if ((await jobs.GetJobAsync(intent.Job, ct))?.Authorization is not { } authorization)
            return await RefuseAsync(intent, ErrorCodes.EscrowAuthorizationMissing,
                "the job has no authorization from its requester, and the escrow opens no lease without one", ct);

        // Only an open raises committedOf: with the opens of one authorization sent one at a time, what this one reads
        // still bounds it when it lands (a verified job's replicas are jobs of their own, in lanes of their own).
        using var held = await _authorizations.LockAsync($"{intent.Requester}/{Convert.ToHexString(authorization.Job)}", ct);
        var cap = intent.Cap;
        if (intent.State == IntentState.Pending)
        {
            var committed = await session.Contracts.Escrow.CommittedAsync(intent.Requester.Value, authorization.Job, ct);
            if (JobBudget.CapWithin(intent.Cap, intent.RatePerHour, authorization.MaxTotal, committed) is not { } within)
            {
                var left = TokenAmount.FromBaseUnits(Math.Max(0, authorization.MaxTotal.BaseUnits - committed.BaseUnits));
                return await RefuseAsync(intent, ErrorCodes.EscrowAuthorizationExhausted,
                    $"the job's authorization allows {authorization.MaxTotal} in all and its leases already hold {committed} (locked, or " +
                    $"paid to earlier attempts); the {left} left does not pay one second at {intent.RatePerHour} per hour", ct);
            }
            if (within.BaseUnits < intent.Cap.BaseUnits)
                LogCapLowered(intent.Job, intent.Attempt, within, intent.Cap, committed, authorization.MaxTotal);
            cap = within;
        }
        intent = await store.MarkOpenSentAsync(intent.Id, cap, time.GetUtcNow(), ct);
        return await SendAsync(session, intent, authorization, ct);
    }

    /// <summary>
    /// Pays or closes a lease. A lease whose open failed is not on chain: nothing to send. A release pays at most what
    /// the cap the lease opened with buys (one written while the open was unsent counted on the full cap).
    /// </summary>
    private async Task<(Outcome, RefusedIntent?)> ReleaseOrCloseAsync(ChainSession session, SettlementIntent intent, CancellationToken ct)
    {
        var opened = await store.GetOpenAsync(intent.Job, intent.Attempt, ct);
        if (opened is { State: IntentState.Failed })
        {
            await store.MarkDoneAsync(intent.Id, null, null, "the lease never opened: nothing to pay or refund", time.GetUtcNow(), ct);
            return (Outcome.Done, null);
        }
        if (intent.State == IntentState.Sent && await FoundOnChainAsync(session, intent, ct))
            return (Outcome.Done, null);

        // What is sent is the row as marked: a pending streaming release may have been raised since this pass read it.
        intent = await store.MarkSentAsync(intent.Id, time.GetUtcNow(), ct);
        if (intent.Action == SettlementAction.Release && opened is { State: IntentState.Done }
            && JobBudget.SecondsWithin(opened.RatePerHour, opened.Cap) is var most && intent.Seconds > most)
        {
            await store.LowerReleaseAsync(intent.Id, most, $"lowered from {intent.Seconds} s to the {most} s its lease's cap {opened.Cap} pays",
                time.GetUtcNow(), ct);
            LogReleaseLowered(intent.Job, intent.Attempt, intent.Seconds, most, opened.Cap);
            intent = intent with { Seconds = most };
        }
        return await SendAsync(session, intent, null, ct);
    }

    /// <summary>An intent recorded as sent took effect (or can no longer): recorded done without sending.</summary>
    private async Task<bool> FoundOnChainAsync(ChainSession session, SettlementIntent intent, CancellationToken ct)
    {
        var lease = await session.Contracts.Escrow.GetLeaseAsync(intent.LeaseId, ct);
        if (TookEffect(intent, lease) is not { } why)
            return false;
        await store.MarkDoneAsync(intent.Id, null, null, why, time.GetUtcNow(), ct);
        LogFoundOnChain(intent.Job, intent.Attempt, intent.Action.ToWire(), why);
        return true;
    }

    /// <summary>Sends the intent (as marked sent), waits for its receipt and confirmations, and records it done.</summary>
    private async Task<(Outcome, RefusedIntent?)> SendAsync(ChainSession session, SettlementIntent intent, JobAuthorization? authorization, CancellationToken ct)
    {
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

    /// <summary>Records the intent refused for good (no transaction goes out for it) and reports why.</summary>
    private async Task<(Outcome, RefusedIntent?)> RefuseAsync(SettlementIntent intent, string code, string reason, CancellationToken ct)
    {
        await store.MarkFailedAsync(intent.Id, $"{code}: {reason}", time.GetUtcNow(), ct);
        LogRefused(intent.Job, intent.Attempt, intent.Action.ToWire(), code, reason);
        return (Outcome.Refused, new RefusedIntent(intent, code, reason));
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

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Job {JobId} attempt {Attempt}: lease cap lowered to {Cap} from {FullCap}: its authorization allows {MaxTotal} and its leases hold {Committed}")]
    private partial void LogCapLowered(JobId jobId, int attempt, TokenAmount cap, TokenAmount fullCap, TokenAmount committed, TokenAmount maxTotal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} attempt {Attempt}: release lowered from {Seconds} s to {Most} s, all its lease's cap {Cap} pays")]
    private partial void LogReleaseLowered(JobId jobId, int attempt, ulong seconds, ulong most, TokenAmount cap);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: {Action} refused: {Code} {Reason}")]
    private partial void LogRefused(JobId jobId, int attempt, string action, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} attempt {Attempt}: {Action} failed (failure {Failures}); retrying at {NextTry}")]
    private partial void LogRetry(Exception e, JobId jobId, int attempt, string action, int failures, DateTimeOffset nextTry);
}
