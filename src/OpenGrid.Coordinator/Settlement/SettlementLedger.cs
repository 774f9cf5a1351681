using OpenGrid.Chain.Escrow;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Protocol.Escrow;

namespace OpenGrid.Coordinator.Settlement;

/// <summary>
/// The job lifecycle's side of settlement: checks a requester's deposit at submit, and turns lease starts, streaming
/// intervals and lease ends into intents (open; release per interval; release and close; close). It only writes rows
/// and wakes the worker: the lifecycle never waits on a transaction. With settlement off every method returns at once.
/// </summary>
public sealed partial class SettlementLedger(
    ISettlementStore store,
    IJobStore jobs,
    SettlementChain chain,
    SettlementSignal signal,
    ConnectedProviders providers,
    TimeProvider time,
    ILogger<SettlementLedger> log)
{
    public bool Enabled => chain.Enabled;

    /// <summary>The EIP-712 domain of job authorizations: this chain and escrow (settlement on only).</summary>
    public EscrowDomain Domain => new(chain.Options.ChainId, Address.Parse(chain.Options.EscrowAddress!));

    /// <summary>
    /// The seconds a finished milestone attempt is paid for: as for a completed streaming attempt
    /// (<see cref="StreamingUsage.CompletedSeconds"/>), the wall time its provider reports but never more than the
    /// coordinator saw the attempt run (a provider cannot bill the whole timeout for a short job), rounded up to a whole
    /// second, at least 1 and at most the timeout (so pay never exceeds a full cap; a lease opened with a lowered cap is
    /// paid at most what that cap buys).
    /// </summary>
    public static ulong VerifiedSeconds(Attempt attempt, JobSpec spec) =>
        StreamingUsage.CompletedSeconds(attempt, (ulong)Math.Ceiling(spec.Limits.Timeout.TotalSeconds));

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
    /// A streaming lease is running (<see cref="StreamMeter"/> asks every interval): records a release up to the seconds
    /// the coordinator has seen it run (<see cref="StreamingUsage.ObservedSeconds"/>), coalesced with a release still
    /// waiting to be sent. Only once its open is on chain, only while it has no close, and only when the release moves
    /// money. True when it wrote.
    /// </summary>
    public async Task<bool> IntervalAsync(Job job, CancellationToken ct)
    {
        if (!Enabled || !StreamingUsage.PaysPerInterval(job) || job.State != JobState.Running
            || job.CurrentAttempt is not { State: JobState.Running } attempt || Open(job, attempt) is not { } open)
            return false;
        var lease = (await store.ListForJobAsync(job.Id, ct)).Where(i => i.Attempt == attempt.Number).ToList();
        if (lease.FirstOrDefault(i => i.Action == SettlementAction.Open && i.State == IntentState.Done) is not { } opened
            || lease.Any(i => i.Action == SettlementAction.Close))
            return false;
        var seconds = StreamingUsage.ObservedSeconds(attempt, providers.LastHeard(attempt.Provider), MaxSeconds(job, opened));
        if (!StreamingUsage.PaysMore(open.RatePerHour, RecordedSeconds(lease), seconds)
            || !await store.AddReleaseAsync(open with { Action = SettlementAction.Release, Cap = opened.Cap, Seconds = seconds }, time.GetUtcNow(), ct))
            return false;
        LogInterval(job.Id, attempt.Number, seconds);
        signal.Work();
        return true;
    }

    /// <summary>
    /// The attempt at <paramref name="epoch"/> ended (succeeded, failed, cancelled, timed out or lost): records its last
    /// release, then the close that refunds the rest — once per lease. When it succeeded and is <paramref name="paid"/>
    /// (a replica that lost its quorum is not, nor a canary answered wrongly) the release pays its verified total; a
    /// streaming lease paid per interval that ended otherwise is paid the seconds the coordinator saw it run, up to the
    /// last time it heard from the provider (the provider did that work) — or up to <paramref name="heardUntil"/> when
    /// the lease's last sign of life is known to be earlier (a reconnect whose hello disowned it: the connection before;
    /// <see cref="DateTimeOffset.MinValue"/> for none); every other lease that did not succeed is closed unpaid.
    /// </summary>
    public async Task AttemptEndedAsync(Job job, long epoch, CancellationToken ct, bool paid = true, DateTimeOffset? heardUntil = null)
    {
        if (!Enabled || job.Attempts.FirstOrDefault(a => a.Epoch == epoch) is not { } attempt || Open(job, attempt) is not { } open)
            return;
        // Only leases this coordinator meant to open (attempts assigned before settlement was on have none).
        var lease = (await store.ListForJobAsync(job.Id, ct)).Where(i => i.Attempt == attempt.Number).ToList();
        if (lease.FirstOrDefault(i => i.Action == SettlementAction.Open) is not { } opened)
            return;
        // What the lease may pay follows the cap it opens with, which the worker may have lowered to what the job's
        // authorization had left (if the open is not sent yet, the worker also lowers this release to it before sending).
        var max = MaxSeconds(job, opened);
        ulong? seconds = null;
        if (attempt.State == JobState.Succeeded && paid)
            seconds = open.Mode == PaymentMode.Streaming ? StreamingUsage.CompletedSeconds(attempt, max) : Math.Min(VerifiedSeconds(attempt, job.Spec), max);
        else if (paid && StreamingUsage.PaysPerInterval(job) && opened.State != IntentState.Failed)
            seconds = StreamingUsage.ObservedSeconds(attempt, heardUntil ?? providers.LastHeard(attempt.Provider), max);
        // A streaming release that would pay nothing more is not worth its gas; a milestone always marks its lease paid.
        var release = seconds is { } s && (open.Mode == PaymentMode.Milestone || StreamingUsage.PaysMore(open.RatePerHour, RecordedSeconds(lease), s))
            ? open with { Action = SettlementAction.Release, Cap = opened.Cap, Seconds = s }
            : null;
        if (!await store.AddEndAsync(release, open with { Action = SettlementAction.Close, Cap = opened.Cap }, time.GetUtcNow(), ct))
            return;
        LogEnded(job.Id, attempt.Number, attempt.State.ToWire(), release?.Seconds ?? 0);
        signal.Work();
    }

    /// <summary>The most seconds the lease may be paid for, from its recorded open (whose cap is the one sent).</summary>
    private static ulong MaxSeconds(Job job, SettlementIntent opened) => StreamingUsage.MaxSeconds(job.Spec, opened.RatePerHour, opened.Cap);

    /// <summary>The most seconds a lease's releases (sent, queued or done; not refused) pay up to.</summary>
    private static ulong RecordedSeconds(IEnumerable<SettlementIntent> lease) =>
        lease.Where(i => i.Action == SettlementAction.Release && i.State != IntentState.Failed).Select(i => i.Seconds).DefaultIfEmpty(0UL).Max();

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
            // A canary's successful attempt is paid only once its answer is judged (Canaries.ResumeAsync), never blind.
            if (await jobs.GetJobAsync(open.Job, ct) is { } job
                && job.Attempts.FirstOrDefault(a => a.Number == open.Attempt) is { } attempt
                && attempt.State is not (JobState.Assigned or JobState.Running)
                && !AwaitsJudgement(job, attempt))
                await AttemptEndedAsync(job, attempt.Epoch, ct);
        }
        signal.Work();
    }

    /// <summary>
    /// The canary jobs with a successful attempt whose lease has no close yet: a crash came between the attempt's end
    /// and the judgement of its answer, which decides its pay. Empty with settlement off.
    /// </summary>
    public async Task<IReadOnlyList<Job>> AwaitingJudgementAsync(CancellationToken ct)
    {
        if (!Enabled)
            return [];
        var waiting = new List<Job>();
        foreach (var open in await store.ListOpensWithoutCloseAsync(ct))
        {
            if (await jobs.GetJobAsync(open.Job, ct) is { } job
                && job.Attempts.FirstOrDefault(a => a.Number == open.Attempt) is { } attempt
                && AwaitsJudgement(job, attempt) && waiting.All(w => w.Id != job.Id))
                waiting.Add(job);
        }
        return waiting;
    }

    /// <summary>A canary's successful attempt: paid or closed unpaid by the judgement of its answer, not by its end.</summary>
    private static bool AwaitsJudgement(Job job, Attempt attempt) => job.Kind == JobKind.Canary && attempt.State == JobState.Succeeded;

    /// <summary>
    /// The open intent of an attempt, or null when it pays nothing: no price, a cap of zero, or a canary queued without
    /// an authorization (while payments were off: it runs unpaid, as canaries did before they were paid). Canaries
    /// queued with payments on lease like any job, from their canary account (docs/payments.md).
    /// </summary>
    private static SettlementIntent? Open(Job job, Attempt attempt)
    {
        if (job.Kind == JobKind.Canary && job.Authorization is null)
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} attempt {Attempt} ended {State}: settlement recorded (release up to {Seconds} s)")]
    private partial void LogEnded(JobId jobId, int attempt, string state, ulong seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} attempt {Attempt}: streaming release up to {Seconds} s recorded")]
    private partial void LogInterval(JobId jobId, int attempt, ulong seconds);
}
