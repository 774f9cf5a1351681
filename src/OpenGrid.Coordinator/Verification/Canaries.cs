using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;
using OpenGrid.Core.Trust;
using OpenGrid.Protocol.Escrow;
using OpenGrid.Protocol.Specs;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// Canary jobs. With probability <c>Coordinator:Trust:CanaryRate</c> a submitted job brings a known-answer job of the
/// same class that fits its shape (<see cref="CanaryPolicy.Fits"/>): after a random delay
/// (<c>CanaryMinDelay</c>..<c>CanaryMaxDelay</c>) the canary is queued with a fresh job id, its own name, runtime,
/// inputs and outputs, and everything else copied from the real job (<see cref="CanaryPolicy.Shape"/>): resources,
/// limits, price, verify policy, requirements, placement. It is matched and replicated like that job
/// (<see cref="ReplicaGroups"/>), and providers get its provider view, as for any job. Every answer is judged against
/// the known one: a wrong one is proof of fraud (reputation to 0 and, with payments on, a bond slash); a right one
/// counts toward the provider's streak. Jobs whose requester donated them (<c>verify.donateAsCanary</c>) and that
/// reputable providers agreed on become canaries too (<see cref="MaybeHarvestAsync"/>).
/// With payments on a canary is paid like a real job: submitted as one of the <see cref="CanaryAccounts"/>, under a job
/// authorization that account signs, its leases open on the escrow from that account's deposit; each successful
/// attempt is paid (or, answered wrongly, closed unpaid) when its answer is judged, never before.
/// </summary>
public sealed partial class Canaries(
    CanaryCatalogue catalogue,
    CanaryAccounts accounts,
    IJobStore store,
    ResultComparer comparer,
    TrustLedger trust,
    Settlement.SettlementLedger settlement,
    JobSignals signals,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    IOptions<CoordinatorOptions> options,
    ILogger<Canaries> log)
{
    private CanaryOptions Policy => options.Value.Trust.Canary;

    /// <summary>
    /// Maybe schedules a canary in <paramref name="job"/>'s shape. With a delay of zero the canary is queued before
    /// this returns; otherwise it is queued when the delay has passed on the coordinator's clock (a canary still
    /// pending when the coordinator stops is never queued: a missed canary, never a visible one).
    /// </summary>
    public async Task MaybeInjectAsync(Job job, CancellationToken ct)
    {
        if (job.Kind != JobKind.Requested || !CanaryPolicy.ShouldInject(Random.Shared.NextDouble(), Policy))
            return;
        var candidates = (await catalogue.ForClassAsync(JobClass.Of(job.Spec), ct)).Where(c => CanaryPolicy.Fits(c.Spec, job.Spec)).ToList();
        if (candidates.Count == 0)
        {
            LogNoneFits(job.Id, JobClass.Of(job.Spec).Value);
            return;
        }
        var canary = candidates[Random.Shared.Next(candidates.Count)];
        var delay = CanaryPolicy.Delay(Random.Shared.NextDouble(), Policy);
        if (delay <= TimeSpan.Zero)
        {
            // Inline, during the real job's submit: whatever goes wrong costs the canary, never the job.
            try
            {
                await QueueAsync(canary, job, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogQueueFailed(e, job.Id);
            }
            return;
        }
        LogScheduled(canary.Spec.Name, job.Id, delay);
        // The timer starts now, on the coordinator's clock, not when a pool thread gets to it: the delay counts from
        // the real job's submit.
        var stopping = lifetime.ApplicationStopping;
        var due = Task.Delay(delay, time, stopping);
        _ = Task.Run(() => QueueLaterAsync(canary, job, due, stopping), CancellationToken.None);
    }

    private async Task QueueLaterAsync(Canary canary, Job trigger, Task due, CancellationToken stopping)
    {
        try
        {
            await due;
            await QueueAsync(canary, trigger, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            LogDropped(trigger.Id);
        }
        catch (Exception e)
        {
            LogQueueFailed(e, trigger.Id);
        }
    }

    /// <summary>
    /// Queues <paramref name="canary"/> in <paramref name="trigger"/>'s shape, now, as a canary account that can pay for
    /// it (with payments on); nothing when none can.
    /// </summary>
    private async Task QueueAsync(Canary canary, Job trigger, CancellationToken ct)
    {
        var spec = CanaryPolicy.Shape(canary.Spec, trigger.Spec);
        var text = JobSpecWriter.ToYaml(spec);
        if (await PayerAsync(text, spec, trigger.Id, ct) is not { } payer)
            return;
        var now = time.GetUtcNow();
        var job = new Job(JobId.New(time), payer.Account, spec.Name, text, spec, JobState.Queued,
            now, now, null, null, canary.Inputs, [], []) { Kind = JobKind.Canary, Authorization = payer.Authorization };
        await store.InsertJobAsync(job, ct);
        LogInjected(job.Id, canary.Spec.Name, canary.Source.ToString(), trigger.Id);
        signals.SchedulingChance();
    }

    /// <summary>
    /// Who submits a canary: with payments off, a canary account (no authorization: nothing is leased). With payments
    /// on, the first canary account, in random order, whose escrow covers the canary's worst case
    /// (<see cref="JobBudget.MaxTotal"/>, as for a requester at submit), with the job authorization it signs, so the
    /// canary's leases open like any job's; null when none can pay — the canary is skipped, the real job unaffected.
    /// </summary>
    private async Task<(Address Account, JobAuthorization? Authorization)?> PayerAsync(string specText, JobSpec spec, JobId trigger,
        CancellationToken ct)
    {
        if (!settlement.Enabled)
            return (accounts.PickUnpaid(), null);
        var extraReplicas = options.Value.Trust.MaxExtraReplicas;
        var why = "no canary account key is configured (Coordinator:Trust:CanaryKeyFile)";
        foreach (var account in accounts.Shuffled())
        {
            if (await settlement.CheckDepositAsync(account.Address, spec, extraReplicas, ct) is { } refused)
            {
                why = $"canary account {account.Address}: {refused.Message}";
                continue;
            }
            return (account.Address, JobAuthorizer.Create(specText, spec, settlement.Domain, extraReplicas, account, time.GetUtcNow()));
        }
        LogUnfunded(trigger, why);
        return null;
    }

    /// <summary>An unreplicated canary ended: its answer, if any, is judged (and its attempt paid or not). Replicated
    /// canaries are judged by their group's verdict (<see cref="JudgeAsync"/>).</summary>
    public async Task CheckAsync(Job job, CancellationToken ct)
    {
        if (job.Kind != JobKind.Canary || ReplicaGroups.IsGrouped(job) || job.State != JobState.Succeeded)
            return;
        await JudgeAsync([job], ct);
    }

    /// <summary>
    /// Judges every member of a canary (its replicas too) that returned a result against the known answer:
    /// <see cref="TrustEvent.CanaryPassed"/> or <see cref="TrustEvent.CanaryFailed"/> (and the slash) for each, whatever
    /// the quorum said — two cartel members agreeing on a wrong answer both fail. Then settles each judged attempt, as
    /// a verdict settles a verified job's: a right answer is paid like any job, a wrong one is closed unpaid (its whole
    /// cap back to the canary account). A canary whose known answer is gone cannot be judged: its answers are paid, as
    /// an unverified job's are. Pass the members as they ended, before a verdict replaced replica 0's outputs with the
    /// accepted ones. Idempotent: events, slashes and lease ends are each recorded once.
    /// </summary>
    public async Task JudgeAsync(IReadOnlyList<Job> members, CancellationToken ct)
    {
        if (members.Count == 0)
            return;
        var canary = await catalogue.FindAsync(members[0], ct);
        if (canary is null)
            LogUnknown(members[0].Id);
        foreach (var member in members)
        {
            if (member.Attempts.LastOrDefault(a => a.State is JobState.Succeeded) is not { } attempt)
                continue;
            var pass = true;
            if (canary is not null)
            {
                (pass, var detail) = await comparer.CompareAsync(canary.Spec.Outputs, canary.Expected, member.Outputs, ct);
                await trust.RecordAsync(attempt.Provider, member, pass ? TrustEvent.CanaryPassed : TrustEvent.CanaryFailed, ct);
                if (pass)
                {
                    LogPassed(member.Id, attempt.Provider);
                }
                else
                {
                    LogCaught(member.Id, attempt.Provider, detail);
                    await settlement.FraudProvenAsync(member, attempt, options.Value.Trust.CanarySlashAmount, ct);
                }
            }
            await settlement.AttemptEndedAsync(member, attempt.Epoch, ct, paid: pass);
        }
    }

    /// <summary>
    /// After a restart: judges — and so pays or closes — every canary attempt that succeeded but whose lease a crash
    /// left waiting for its judgement (<see cref="Settlement.SettlementLedger.ReconcileAsync"/> never pays one blind).
    /// A member of a group still verifying is judged on its own answer, which no verdict has replaced yet.
    /// </summary>
    public async Task ResumeAsync(CancellationToken ct)
    {
        foreach (var job in await settlement.AwaitingJudgementAsync(ct))
            await JudgeAsync([job], ct);
    }

    /// <summary>
    /// A requested job was verified by <paramref name="winners"/> (the members whose agreeing results were accepted,
    /// as they ended): keeps it as a canary when <see cref="CanaryPolicy.CanHarvest"/> allows — its requester donated
    /// it, its outputs are compared exactly, and two or more providers at or above
    /// <c>Coordinator:Trust:HarvestMinReputation</c> agreed.
    /// </summary>
    public async Task MaybeHarvestAsync(Job root, IReadOnlyList<Job> winners, CancellationToken ct)
    {
        if (root.Kind != JobKind.Requested || !root.Spec.Verify.DonateAsCanary)
            return;
        var providers = winners.Select(w => w.Attempts.LastOrDefault(a => a.State is JobState.Succeeded)?.Provider).OfType<Address>().Distinct().ToList();
        var scores = await trust.ScoresAsync(ct);
        var reputations = providers.Select(p => scores.TryGetValue(p, out var s) ? s : trust.Neutral).ToList();
        if (!CanaryPolicy.CanHarvest(root.Spec, reputations, Policy))
        {
            LogNotHarvested(root.Id, providers.Count);
            return;
        }
        if (await catalogue.HarvestAsync(root, winners[0].Outputs, providers, time.GetUtcNow(), ct))
            LogHarvested(root.Id, JobClass.Of(root.Spec).Value, providers.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Canary {JobId} ({Canary}, {Source}) queued after job {RealJobId}")]
    private partial void LogInjected(JobId jobId, string canary, string source, JobId realJobId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Canary {Canary} for job {RealJobId} scheduled in {Delay}")]
    private partial void LogScheduled(string canary, JobId realJobId, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No canary of class {JobClass} fits job {RealJobId}")]
    private partial void LogNoneFits(JobId realJobId, string jobClass);

    [LoggerMessage(Level = LogLevel.Information, Message = "The canary scheduled after job {RealJobId} was dropped: the coordinator is stopping")]
    private partial void LogDropped(JobId realJobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No canary after job {RealJobId}: no canary account can pay for it ({Reason}); deposit into the canary accounts' escrow")]
    private partial void LogUnfunded(JobId realJobId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The canary scheduled after job {RealJobId} could not be queued")]
    private partial void LogQueueFailed(Exception e, JobId realJobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary job {JobId} has no known answer any more (its catalogue entry changed); not judged, its answers are paid")]
    private partial void LogUnknown(JobId jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Canary {JobId} passed on {ProviderId}")]
    private partial void LogPassed(JobId jobId, Address providerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Canary {JobId} caught {ProviderId} returning a wrong answer: {Detail}")]
    private partial void LogCaught(JobId jobId, Address providerId, string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Donated job {JobId} not kept as a canary ({Agreeing} agreeing provider(s), comparators or reputations do not qualify)")]
    private partial void LogNotHarvested(JobId jobId, int agreeing);

    [LoggerMessage(Level = LogLevel.Information, Message = "Donated job {JobId} kept as a canary of class {JobClass}, reproduced by {Agreeing} providers")]
    private partial void LogHarvested(JobId jobId, string jobClass, int agreeing);
}
