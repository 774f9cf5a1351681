using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Content;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Coordinator.Verification;
using OpenGrid.Core;
using OpenGrid.Core.Content;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Scheduling;
using OpenGrid.Core.Trust;
using OpenGrid.Protocol;
using OpenGrid.Protocol.Api;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Gateway;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Coordinator.Jobs;

/// <summary>
/// The outcome of a submit: the job, or a rejection (with spec errors when the spec was invalid, and what a job
/// authorization must cover when that was refused).
/// </summary>
public sealed record SubmitOutcome(Job? Job, Rejection? Rejection, IReadOnlyList<SpecErrorView>? SpecErrors = null,
    AuthorizationTermsView? AuthorizationTerms = null);

/// <summary>
/// Applies everything that changes a job: submit and cancel from requesters, reports from providers, provider
/// disconnects. Each step is one store transaction guarded by state and epoch, so redelivered messages are no-ops.
/// With settlement on, each lease start and end is also handed to <see cref="SettlementLedger"/>, which only writes
/// intents: nothing here waits on the chain (except the deposit check at submit, a read).
/// </summary>
public sealed partial class JobLifecycle(
    IJobStore store,
    FileBlockstore content,
    ConnectedProviders providers,
    JobSignals signals,
    SettlementLedger settlement,
    ReplicaGroups groups,
    Canaries canaries,
    TrustLedger trust,
    ReceiptLedger receipts,
    TimeProvider time,
    IOptions<CoordinatorOptions> options,
    ILogger<JobLifecycle> log)
{
    public async Task<SubmitOutcome> SubmitAsync(Address requester, SubmitJobRequest request, CancellationToken ct)
    {
        var fileName = string.IsNullOrWhiteSpace(request.FileName) ? "job.yaml" : Path.GetFileName(request.FileName);
        var parsed = JobSpecParser.Parse(request.Spec ?? "", fileName);
        if (parsed.Spec is not { } spec)
        {
            var errors = parsed.Errors.Select(e => new SpecErrorView(e.File, e.Line, e.Column, e.Path, e.Message)).ToList();
            return new SubmitOutcome(null, new Rejection(ErrorCodes.SpecInvalid, $"{errors.Count} error(s) in {fileName}: {parsed.Errors[0]}"), errors);
        }

        // A split is the CLI's to expand (docs/adr/0007-frame-split.md); run as one job it would render one frame.
        if (spec.Split is not null)
            return new SubmitOutcome(null, new Rejection(ErrorCodes.SpecInvalid,
                $"{fileName}: split: the coordinator runs one job per spec; submit it with og submit, which sends one job per frame"));

        var inputs = new List<ResolvedInput>();
        foreach (var input in spec.Inputs)
        {
            Cid cid;
            if (input.Cid is { } given)
                cid = given;
            else if (request.InputCids?.TryGetValue(input.Path, out var text) == true && Cid.TryParse(text, out var uploaded))
                cid = uploaded;
            else
                return Missing($"input '{input.Path}' comes from '{input.From}' but no uploaded CID was sent for it; upload the file (POST /v1/content) and pass inputCids[\"{input.Path}\"]");
            if (!content.Contains(cid) || !await store.CanReadContentAsync(cid, requester, ct))
                return Missing($"input '{input.Path}': {cid} is not in the content store or was not uploaded by you");
            inputs.Add(new ResolvedInput(input.Path, cid));
        }

        var online = providers.Online;
        if (online.Count > 0)
        {
            var failures = online
                .Select(p => (p.Hello.Name, Reason: Feasibility.FirstFailure(spec.Resources, spec.Requires, p.Capacity)))
                .ToList();
            if (failures.All(f => f.Reason is not null))
            {
                return new SubmitOutcome(null, new Rejection(ErrorCodes.SpecUnsatisfiable,
                    "no connected provider could ever run this job: " + string.Join("; ", failures.Select(f => $"{f.Name}: {f.Reason}"))));
            }
        }

        // With payments on, the requester's signed authorization is what lets the escrow lease this job at all: check it
        // here, off chain, so what the escrow would refuse is refused before the job exists (docs/payments.md).
        JobAuthorization? authorization = null;
        if (settlement.Enabled)
        {
            var extraReplicas = options.Value.Trust.MaxExtraReplicas;
            (authorization, var unauthorized) = JobAuthorizationCheck.Validate(
                request.Authorization, requester, request.Spec!, spec, settlement.Domain, extraReplicas, time.GetUtcNow());
            if (unauthorized is not null)
                return new SubmitOutcome(null, unauthorized,
                    AuthorizationTerms: JobAuthorizationCheck.Terms(request.Spec!, spec, settlement.Domain, extraReplicas));
            if (await settlement.CheckDepositAsync(requester, spec, extraReplicas, ct) is { } refused)
                return new SubmitOutcome(null, refused);
        }

        var now = time.GetUtcNow();
        var job = new Job(JobId.New(time), requester, spec.Name, request.Spec!, spec, JobState.Queued, now, now, null, null, inputs, [], [])
        {
            Authorization = authorization,
        };
        await store.InsertJobAsync(job, ct);
        LogSubmitted(job.Id, requester, spec.Name);
        await canaries.MaybeInjectAsync(job, ct);
        signals.SchedulingChance();
        return new SubmitOutcome(job, null);

        static SubmitOutcome Missing(string message) => new(null, new Rejection(ErrorCodes.InputMissing, message));
    }

    public async Task<(Job? Job, Rejection? Rejection)> CancelAsync(Address requester, JobId id, CancellationToken ct)
    {
        var job = await store.GetJobAsync(id, ct);
        if (job is null || job.Requester != requester)
            return (null, new Rejection(ErrorCodes.JobNotFound, $"no job {id} of yours"));
        var result = await store.CancelAsync(id, "cancelled by the requester", time.GetUtcNow(), ct);
        switch (result.Outcome)
        {
            case TransitionOutcome.Applied:
                if (job.CurrentAttempt is { } attempt && !job.State.IsTerminal() && providers.TryGet(attempt.Provider, out var session))
                    session.Send(new CancelLease(id.ToString(), attempt.Epoch, "cancelled by the requester"));
                if (job.CurrentAttempt is { } ended && job.State is JobState.Assigned or JobState.Running or JobState.Verifying)
                    await settlement.AttemptEndedAsync(result.Job!, ended.Epoch, ct, paid: job.State != JobState.Verifying);
                if (job.GroupOf is null)
                    await groups.AbandonAsync(result.Job!, "the job was cancelled by the requester", ct);
                else
                    await groups.MemberEndedAsync(result.Job!, ct);
                LogCancelled(id);
                signals.Changed(id);
                signals.SchedulingChance();
                return (result.Job, null);
            case TransitionOutcome.AlreadyApplied:
                return (result.Job, null);
            default:
                return (null, new Rejection(ErrorCodes.JobNotCancellable, $"job {id} already ended as {job.State.ToWire()}"));
        }
    }

    /// <summary>Hands a queued job to a provider at the cleared price: records the lease and pushes the assignment.</summary>
    public async Task<bool> AssignAsync(JobId id, ProviderSession session, TokenAmount pricePerHour, CancellationToken ct)
    {
        var attempt = await store.AssignAsync(id, session.Address, pricePerHour, time.GetUtcNow(), ct);
        if (attempt is null)
            return false;
        var job = (await store.GetJobAsync(id, ct))!;
        LogAssigned(id, session.Address, attempt.Epoch);
        await settlement.LeaseStartedAsync(job, attempt, ct);
        await groups.PlanAsync(job, session.Address, ct);
        // The provider view: no verify policy, price or placement, so the text does not tell a verified job, a
        // replica or a canary from any other job. The receipt must hash exactly this text.
        var sent = session.Send(new Assign(id.ToString(), attempt.Number, attempt.Epoch, ProviderSpec.Of(job.Spec),
            job.Inputs.Select(i => new InputView(i.Path, i.Cid.ToString())).ToList()));
        if (!sent)
            await FailAsync(id, attempt.Epoch, "provider disconnected before the assignment was delivered", ct);
        signals.Changed(id);
        return true;
    }

    /// <summary>A queued job passed its start deadline without a match: it fails with the matcher's reason.</summary>
    public async Task ExpireAsync(JobId id, string reason, CancellationToken ct)
    {
        if (await store.FailQueuedAsync(id, reason, time.GetUtcNow(), ct))
        {
            LogExpired(id, reason);
            signals.Changed(id);
        }
    }

    /// <summary>Handles one message from a provider; returns a rejection to send back, or null.</summary>
    public async Task<Rejected?> OnProviderMessageAsync(Address provider, ProviderMessage message, CancellationToken ct)
    {
        switch (message)
        {
            case LeaseAccepted m:
                return (await CheckLeaseAsync(provider, m.JobId, m.Epoch, ct)).Rejection;
            case JobStarted m:
            {
                var (job, rejection) = await CheckLeaseAsync(provider, m.JobId, m.Epoch, ct);
                if (rejection is not null)
                    return rejection;
                await store.TransitionAsync(job!.Id, m.Epoch, new JobTransition(JobState.Running, time.GetUtcNow()), ct);
                signals.Changed(job.Id);
                return null;
            }
            case LogData m:
            {
                var (job, rejection) = await CheckLeaseAsync(provider, m.JobId, m.Epoch, ct);
                if (rejection is not null)
                    return rejection;
                var stream = m.Stream == "stderr" ? "stderr" : "stdout";
                if (await store.AppendLogAsync(job!.Id, m.Epoch, m.Seq, job.CurrentAttempt!.Number, stream, m.Text, time.GetUtcNow(), ct) is not null)
                    signals.Changed(job.Id);
                return null;
            }
            case JobFinished m:
                return await OnFinishedAsync(provider, m, ct);
            default:
                return null;
        }
    }

    /// <summary>
    /// A provider said hello (first connection, reconnect, or after a coordinator restart). Leases it still runs at
    /// their current epoch are kept; leases the store gives it that it does not hold are lost (never delivered, or
    /// the agent restarted); leases it holds at a superseded epoch are cancelled on the provider.
    /// </summary>
    public async Task OnHelloAsync(ProviderSession session, CancellationToken ct)
    {
        var held = (session.Hello.RunningLeases ?? []).ToDictionary(l => l.JobId, l => l.Epoch);
        foreach (var job in await store.ListActiveForProviderAsync(session.Address, ct))
        {
            var epoch = job.CurrentAttempt!.Epoch;
            // The hello disowns this lease: it was last vouched for before this connection, not now (streaming pay).
            if (!held.Remove(job.Id.ToString(), out var heldEpoch) || heldEpoch != epoch)
                await LeaseLostAsync(job, epoch, "the provider reconnected without this lease (never delivered, or the agent restarted)", ct,
                    heardUntil: session.HeardBefore ?? DateTimeOffset.MinValue);
        }
        foreach (var (jobId, epoch) in held)
        {
            LogRejected(jobId, session.Address, ErrorCodes.LeaseStaleEpoch);
            session.Send(new CancelLease(jobId, epoch, "this lease is no longer current"));
        }
        signals.SchedulingChance();
    }

    /// <summary>
    /// A lease was lost: the attempt fails and the job goes back to the book after a backoff. <paramref name="heardUntil"/>
    /// is the lease's last sign of life when it is earlier than the provider's last message (see
    /// <see cref="SettlementLedger.AttemptEndedAsync"/>).
    /// </summary>
    public async Task LeaseLostAsync(Job job, long epoch, string reason, CancellationToken ct, DateTimeOffset? heardUntil = null)
    {
        var o = options.Value;
        var notBefore = time.GetUtcNow() + o.BackoffBefore(job.Attempts.Count + 1);
        var result = await store.RequeueAsync(job.Id, epoch, reason, notBefore, o.MaxAttempts, time.GetUtcNow(), ct);
        if (result.Outcome != TransitionOutcome.Applied)
            return;
        await settlement.AttemptEndedAsync(result.Job!, epoch, ct, heardUntil: heardUntil);
        var provider = job.CurrentAttempt!.Provider;
        LogLeaseLost(job.Id, provider, epoch, reason);
        await trust.RecordAsync(provider, job, TrustEvent.LeaseLost, ct);
        await AfterEndAsync(result.Job!, ct);
        if (providers.TryGet(provider, out var session))
            session.Send(new CancelLease(job.Id.ToString(), epoch, reason));
        signals.Changed(job.Id);
        signals.SchedulingChance();
    }

    private async Task<Rejected?> OnFinishedAsync(Address provider, JobFinished m, CancellationToken ct)
    {
        // The receipt first: a true, well-chained receipt is kept even when the report turns out stale below.
        if (JobId.TryParse(m.JobId, out var reportedId) && await store.GetJobAsync(reportedId, ct) is { } reported
            && reported.Attempts.FirstOrDefault(a => a.Epoch == m.Epoch && a.Provider == provider) is { } reportedAttempt
            && await receipts.AcceptAsync(provider, reported, reportedAttempt, m, ct) is { } refused)
        {
            LogRejected(m.JobId, provider, refused.Code);
            if (reported.CurrentAttempt?.Epoch == m.Epoch && reported.State is JobState.Assigned or JobState.Running)
                await FailAsync(reported.Id, m.Epoch, $"the provider's receipt was refused: {refused.Message}", ct);
            return new Rejected(m.JobId, m.Epoch, refused.Code, refused.Message);
        }
        var (job, rejection) = await CheckLeaseAsync(provider, m.JobId, m.Epoch, ct);
        if (rejection is not null)
            return rejection;
        var id = job!.Id;
        var state = m.Outcome switch
        {
            "succeeded" => JobState.Succeeded,
            "timed_out" => JobState.TimedOut,
            "cancelled" => JobState.Cancelled,
            _ => JobState.Failed,
        };
        var outputs = new List<OutputFile>();
        foreach (var o in m.Outputs)
        {
            if (!Cid.TryParse(o.Cid, out var cid) || !content.Contains(cid))
            {
                state = JobState.Failed;
                outputs.Clear();
                m = m with { Reason = $"provider reported output '{o.Path}' with CID {o.Cid} that is not in the content store" };
                break;
            }
            outputs.Add(new OutputFile(o.Path, cid, o.Size));
        }
        var usage = new Usage(TimeSpan.FromSeconds(m.Usage.WallSeconds), TimeSpan.FromSeconds(m.Usage.CpuSeconds), m.Usage.PeakMemoryBytes);
        // A verified job's successful attempt waits for its quorum, and is paid by the verdict, not now.
        var verifying = state == JobState.Succeeded && job.GroupOf is null && job.PlannedReplicas > 1;
        var result = await store.TransitionAsync(id, m.Epoch,
            new JobTransition(state, time.GetUtcNow(), m.ExitCode, m.Reason, usage, outputs, verifying ? JobState.Verifying : null), ct);
        if (result.Outcome == TransitionOutcome.Applied)
        {
            LogFinished(id, provider, (verifying ? JobState.Verifying : state).ToWire(), m.ExitCode);
            // A verified job's success is paid by its group's verdict, a canary's by the judgement of its answer: not now.
            if (!(state == JobState.Succeeded && (ReplicaGroups.IsGrouped(job) || job.Kind == JobKind.Canary)))
                await settlement.AttemptEndedAsync(result.Job!, m.Epoch, ct);
            if (state == JobState.TimedOut)
                await trust.RecordAsync(provider, job, TrustEvent.TimedOut, ct);
            await AfterEndAsync(result.Job!, ct);
        }
        signals.Changed(id);
        signals.SchedulingChance();
        return null;
    }

    /// <summary>
    /// The escrow refused to open the lease of <paramref name="attempt"/> (the requester's deposit no longer covers
    /// it), or the settlement worker would not send the open (the job's authorization is missing, or used up by earlier
    /// attempts): if that attempt still holds the job, the job fails and the provider is told to stop.
    /// </summary>
    public async Task EscrowRefusedAsync(JobId id, int attempt, string reason, CancellationToken ct)
    {
        if (await store.GetJobAsync(id, ct) is not { CurrentAttempt: { } current } job || current.Number != attempt
            || job.State is not (JobState.Assigned or JobState.Running))
            return;
        if (await FailAsync(id, current.Epoch, reason, ct))
        {
            LogEscrowRefused(id, attempt, reason);
            if (providers.TryGet(current.Provider, out var session))
                session.Send(new CancelLease(id.ToString(), current.Epoch, reason));
            signals.SchedulingChance();
        }
    }

    private async Task<bool> FailAsync(JobId id, long epoch, string reason, CancellationToken ct)
    {
        var result = await store.TransitionAsync(id, epoch, new JobTransition(JobState.Failed, time.GetUtcNow(), Reason: reason), ct);
        if (result.Outcome == TransitionOutcome.Applied)
        {
            await settlement.AttemptEndedAsync(result.Job!, epoch, ct);
            await AfterEndAsync(result.Job!, ct);
        }
        signals.Changed(id);
        return result.Outcome == TransitionOutcome.Applied;
    }

    /// <summary>
    /// After a job's attempt ended: a replica or a verifying job (a canary's too) has its group evaluated; a job that
    /// ended without being verified has its replicas cancelled, and an unreplicated canary has its answer judged.
    /// </summary>
    private async Task AfterEndAsync(Job job, CancellationToken ct)
    {
        if (job.GroupOf is not null && job.State.IsTerminal() || job.State == JobState.Verifying)
        {
            await groups.MemberEndedAsync(job, ct);
        }
        else if (job.GroupOf is null && job.State.IsTerminal())
        {
            await canaries.CheckAsync(job, ct);
            await groups.AbandonAsync(job, $"the job ended {job.State.ToWire()} before it could be verified", ct);
        }
    }

    /// <summary>The job must exist and its current lease must be this provider's at this epoch, still live.</summary>
    private async Task<(Job? Job, Rejected? Rejection)> CheckLeaseAsync(Address provider, string jobId, long epoch, CancellationToken ct)
    {
        if (!JobId.TryParse(jobId, out var id) || await store.GetJobAsync(id, ct) is not { } job
            || job.Attempts.All(a => a.Provider != provider))
        {
            LogRejected(jobId, provider, ErrorCodes.LeaseNotYours);
            return (null, new Rejected(jobId, epoch, ErrorCodes.LeaseNotYours, $"job {jobId} is not leased to you"));
        }
        if (job.CurrentAttempt!.Epoch != epoch || job.CurrentAttempt.Provider != provider || job.State == JobState.Queued)
        {
            LogRejected(jobId, provider, ErrorCodes.LeaseStaleEpoch);
            return (job, new Rejected(jobId, epoch, ErrorCodes.LeaseStaleEpoch, $"epoch {epoch} of job {jobId} is no longer current"));
        }
        return (job, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({Name}) submitted by {Requester}")]
    private partial void LogSubmitted(JobId jobId, Address requester, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} leased to {ProviderId} at epoch {Epoch}")]
    private partial void LogAssigned(JobId jobId, Address providerId, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} finished on {ProviderId}: {State} (exit {ExitCode})")]
    private partial void LogFinished(JobId jobId, Address providerId, string state, int? exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} expired unmatched: {Reason}")]
    private partial void LogExpired(JobId jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} cancelled")]
    private partial void LogCancelled(JobId jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} lost its lease on {ProviderId} at epoch {Epoch}: {Reason}")]
    private partial void LogLeaseLost(JobId jobId, Address providerId, long epoch, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed: the escrow refused attempt {Attempt}: {Reason}")]
    private partial void LogEscrowRefused(JobId jobId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a report on job {JobId} from {ProviderId}: {Code}")]
    private partial void LogRejected(string jobId, Address providerId, string code);
}
