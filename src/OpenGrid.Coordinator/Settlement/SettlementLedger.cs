using OpenGrid.Chain.Escrow;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Escrow;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// The job lifecycle's side of settlement: checks a requester's deposit at submit, and turns lease starts and ends
/// into intents (open; release and close; close). It only writes rows and wakes the worker: the lifecycle never
/// waits on a transaction. With settlement off every method returns at once.
/// </summary>
public sealed partial class SettlementLedger(
    ISettlementStore store,
    IJobStore jobs,
    SettlementChain chain,
    SettlementSignal signal,
    TimeProvider time,
    ILogger<SettlementLedger> log)
{
    public bool Enabled => chain.Enabled;

    /// <summary>The EIP-712 domain of job authorizations: this chain and escrow (settlement on only).</summary>
    public EscrowDomain Domain => new(chain.Options.ChainId, Address.Parse(chain.Options.EscrowAddress!));

    /// <summary>
    /// The seconds a finished attempt is paid for: its wall time rounded up to a whole second, at least 1 and at most
    /// the timeout (so pay never exceeds the lease's cap).
    /// </summary>
    public static ulong VerifiedSeconds(Attempt attempt, JobSpec spec)
    {
        var wall = attempt.Usage?.Wall
            ?? (attempt is { StartedAt: { } s, FinishedAt: { } f } ? f - s : TimeSpan.Zero);
        var max = (ulong)Math.Ceiling(spec.Limits.Timeout.TotalSeconds);
        var seconds = (ulong)Math.Ceiling(Math.Max(0, wall.TotalSeconds));
        return Math.Clamp(seconds, 1UL, Math.Max(1UL, max));
    }

    /// <summary>
    /// A rejection when the requester's available escrow does not cover the job's worst case
    /// (<see cref="JobBudget.MaxTotal"/>: every lease the job may hold, with <paramref name="extraReplicas"/>); null when
    /// it does or settlement is off.
    /// </summary>
    public async Task<Rejection?> CheckDepositAsync(Address requester, JobSpec spec, int extraReplicas, CancellationToken ct)
    {
        if (!Enabled)
            return null;
        var worst = JobBudget.MaxTotal(spec, extraReplicas);
        EscrowBalances balances;
        try
        {
            var session = await chain.ConnectAsync(ct);
            balances = await session.Contracts.Escrow.GetBalancesAsync(requester.Value, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogDepositCheckFailed(e, requester);
            return new Rejection(ErrorCodes.ChainUnavailable,
                $"cannot check your escrow deposit: the chain node did not answer ({e.Message}); try again later");
        }
        if (balances.Available.CompareTo(worst) >= 0)
            return null;
        var missing = TokenAmount.FromBaseUnits(worst.BaseUnits - balances.Available.BaseUnits);
        return new Rejection(ErrorCodes.EscrowInsufficient,
            $"your escrow has {balances.Available} available but this job may cost up to {worst} (price.maxPerHour " +
            $"{spec.Price.MaxPerHour} for limits.timeout {spec.Limits.Timeout} × {JobBudget.MaxLeases(spec.Verify, extraReplicas)} lease(s)); " +
            $"deposit at least {missing} more: og deposit {missing}");
    }

    /// <summary>A lease started: records the intent to open its escrow lease at the cleared price.</summary>
    public async Task LeaseStartedAsync(Job job, Attempt attempt, CancellationToken ct)
    {
        if (!Enabled || Open(job, attempt) is not { } open)
            return;
        await store.AddAsync([open], time.GetUtcNow(), ct);
        signal.Work();
    }

    /// <summary>
    /// The attempt at <paramref name="epoch"/> ended (succeeded, failed, cancelled, timed out or lost): records the
    /// release of its verified seconds when it succeeded and is <paramref name="paid"/> (a replica that lost its
    /// quorum is not), then the close that refunds the rest.
    /// </summary>
    public async Task AttemptEndedAsync(Job job, long epoch, CancellationToken ct, bool paid = true)
    {
        if (!Enabled || job.Attempts.FirstOrDefault(a => a.Epoch == epoch) is not { } attempt || Open(job, attempt) is not { } open)
            return;
        // Only leases this coordinator meant to open (attempts assigned before settlement was on have none).
        var existing = await store.ListForJobAsync(job.Id, ct);
        if (!existing.Any(i => i.Attempt == attempt.Number && i.Action == SettlementAction.Open))
            return;
        var intents = new List<SettlementIntent>();
        if (attempt.State == JobState.Succeeded && paid)
            intents.Add(open with { Action = SettlementAction.Release, Seconds = VerifiedSeconds(attempt, job.Spec) });
        intents.Add(open with { Action = SettlementAction.Close });
        await store.AddAsync(intents, time.GetUtcNow(), ct);
        LogEnded(job.Id, attempt.Number, attempt.State.ToWire());
        signal.Work();
    }

    /// <summary>
    /// A canary proved <paramref name="provider"/> returned a wrong answer on <paramref name="attempt"/> of
    /// <paramref name="canary"/>: records the intent to slash <paramref name="amount"/> of its bond (once per attempt).
    /// </summary>
    public async Task FraudProvenAsync(Job canary, Attempt attempt, TokenAmount amount, CancellationToken ct)
    {
        if (!Enabled || amount.BaseUnits <= 0)
            return;
        await store.AddAsync([new SettlementIntent(0, canary.Id, attempt.Number, SettlementAction.Slash, canary.Requester, attempt.Provider,
            TokenAmount.FromBaseUnits(0), amount, 0, PaymentMode.Milestone)], time.GetUtcNow(), ct);
        signal.Work();
    }

    /// <summary>
    /// After a restart: writes the intents a crash may have left out between a job's state change and its intents —
    /// the open of a live lease assigned since settlement was switched on, and the end of every lease whose attempt
    /// has ended but has no close.
    /// </summary>
    public async Task ReconcileAsync(CancellationToken ct)
    {
        if (!Enabled)
            return;
        var since = await store.EnabledSinceAsync(time.GetUtcNow(), ct);
        foreach (var job in await jobs.ListActiveAsync(ct))
        {
            if (job.CurrentAttempt is { } attempt && attempt.AssignedAt >= since && Open(job, attempt) is { } open)
                await store.AddAsync([open], time.GetUtcNow(), ct);
        }
        foreach (var open in await store.ListOpensWithoutCloseAsync(ct))
        {
            if (await jobs.GetJobAsync(open.Job, ct) is { } job
                && job.Attempts.FirstOrDefault(a => a.Number == open.Attempt) is { } attempt
                && attempt.State is not (JobState.Assigned or JobState.Running))
                await AttemptEndedAsync(job, attempt.Epoch, ct);
        }
        signal.Work();
    }

    /// <summary>
    /// The open intent of an attempt, or null when it pays nothing (no price, a cap of zero, or a canary: the
    /// coordinator's own test job has no requester escrow behind it).
    /// </summary>
    private static SettlementIntent? Open(Job job, Attempt attempt)
    {
        if (job.Kind == JobKind.Canary)
            return null;
        if (attempt.PricePerHour is not { BaseUnits: > 0 } rate)
            return null;
        var cap = EscrowRules.CapFor(rate, job.Spec.Limits.Timeout);
        if (cap.BaseUnits <= 0)
            return null;
        var mode = job.Spec.Price.Mode == "streaming" ? PaymentMode.Streaming : PaymentMode.Milestone;
        return new SettlementIntent(0, job.Id, attempt.Number, SettlementAction.Open, job.Requester, attempt.Provider, rate, cap, 0, mode);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the escrow deposit of {Requester}")]
    private partial void LogDepositCheckFailed(Exception e, Address requester);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} attempt {Attempt} ended {State}: settlement recorded")]
    private partial void LogEnded(JobId jobId, int attempt, string state);
}
