using Microsoft.Extensions.Options;
using OpenGrid.Coordinator.Gateway;
using OpenGrid.Coordinator.Jobs;
using OpenGrid.Coordinator.Persistence;
using OpenGrid.Coordinator.Settlement;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Trust;
using OpenGrid.Protocol.Gateway;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// N-of-M verification. A job that asks for <c>verify.replicas</c> above 1 forms a group: the job itself (replica 0)
/// and replica jobs — ordinary jobs with their own leases, retries and settlement, hidden from the requester's lists,
/// never on a provider another member of the group has used. When replica 0 is first leased, adaptive replication
/// decides how many replicas the group runs; when its attempt succeeds the job waits in <c>verifying</c>, and each
/// time a member ends the quorum rule (<see cref="Quorum"/>) accepts, waits, launches more replicas, or fails the job
/// with the disagreement. Verdicts move reputations and decide which attempts are paid. A canary is planned and
/// decided the same way (its replicas are canaries too, so a provider cannot tell them apart), but each member's answer
/// is judged against the known one instead (<see cref="Canaries.JudgeAsync"/>), and that judgement, made when the
/// verdict comes, decides its pay.
/// </summary>
public sealed partial class ReplicaGroups(
    IJobStore store,
    TrustLedger trust,
    ResultComparer comparer,
    ConnectedProviders providers,
    JobSignals signals,
    SettlementLedger settlement,
    Canaries canaries,
    TimeProvider time,
    IOptions<CoordinatorOptions> options,
    ILogger<ReplicaGroups> log)
{
    // One verdict at a time: members of a group can end together, and a verdict reads the whole group.
    private readonly SemaphoreSlim _verdictLock = new(1, 1);

    /// <summary>Whether <paramref name="job"/> belongs to a verification group whose verdict settles its attempts.</summary>
    public static bool IsGrouped(Job job) => job.GroupOf is not null || job.PlannedReplicas > 1;

    /// <summary>The id of the job the requester submitted, for any member of its group.</summary>
    public static JobId RootOf(Job job) => job.GroupOf ?? job.Id;

    /// <summary>
    /// Replica 0 of a verified job was just leased to <paramref name="provider"/>: decides how many replicas the group
    /// runs (once) and queues the others.
    /// </summary>
    public async Task PlanAsync(Job root, Address provider, CancellationToken ct)
    {
        if (root.Kind is not (JobKind.Requested or JobKind.Canary) || root.GroupOf is not null || root.PlannedReplicas is not null
            || root.Spec.Verify.Replicas <= 1)
            return;
        var o = options.Value.Trust;
        var streak = await trust.StreakAsync(provider, JobClass.Of(root.Spec), ct);
        var planned = AdaptiveReplication.PolicyFor(root.Spec.Verify, forceFull: !root.Spec.Verify.Adaptive, streak,
            Random.Shared.NextDouble(), Replication).Replicas;
        var replicas = Enumerable.Range(1, planned - 1).Select(i => ReplicaOf(root, i)).ToList();
        if (await store.PlanReplicasAsync(root.Id, null, planned, replicas, ct))
        {
            LogPlanned(root.Id, planned, streak);
            signals.SchedulingChance();
        }
    }

    /// <summary>
    /// A member of <paramref name="job"/>'s group ended (or replica 0 reached verifying): evaluates the quorum and
    /// applies the verdict. Idempotent: a decided group is left alone.
    /// </summary>
    public async Task MemberEndedAsync(Job job, CancellationToken ct)
    {
        await _verdictLock.WaitAsync(ct);
        try
        {
            await EvaluateAsync(RootOf(job), ct);
        }
        finally
        {
            _verdictLock.Release();
        }
    }

    /// <summary>
    /// Takes the verdicts a restart interrupted: a member's end is recorded before its group is evaluated, so a
    /// coordinator stopped in between leaves a job in verifying that no later report would wake. Evaluates every such
    /// group once (a group still waiting for members just keeps waiting). Returns how many were looked at.
    /// </summary>
    public async Task<int> ResumeVerdictsAsync(CancellationToken ct)
    {
        var verifying = await store.ListVerifyingAsync(ct);
        foreach (var root in verifying)
            await MemberEndedAsync(root, ct);
        return verifying.Count;
    }

    /// <summary>Replica 0 ended without a result (failed, timed out, cancelled): the replicas still running are cancelled.</summary>
    public async Task AbandonAsync(Job root, string reason, CancellationToken ct)
    {
        if (root.PlannedReplicas is not > 1)
            return;
        var group = await store.ListGroupAsync(root.Id, ct);
        await CancelRunningAsync(group.Skip(1), reason, ct);
        // Replicas that succeeded before the job was abandoned are not verified: their leases close unpaid. A canary's
        // answers are still judged, and paid by that judgement: the known answer does not need a quorum.
        var succeeded = group.Skip(1).Where(m => m.State == JobState.Succeeded).ToList();
        if (root.Kind == JobKind.Canary)
        {
            await canaries.JudgeAsync(succeeded, ct);
            return;
        }
        foreach (var member in succeeded)
            await SettleAsync(member, paid: false, ct);
    }

    private async Task EvaluateAsync(JobId rootId, CancellationToken ct)
    {
        var group = await store.ListGroupAsync(rootId, ct);
        if (group.Count == 0 || group[0] is not { State: JobState.Verifying } root)
            return;
        var finished = group.Where(m => m.Id == root.Id || m.State.IsTerminal())
            .Select(m => new ReplicaOutcome<Job>(m.Replica, ProviderOf(m) ?? default, m.Id == root.Id || m.State == JobState.Succeeded, m))
            .ToList();
        var agreement = await AgreementAsync(finished.Where(f => f.Succeeded).Select(f => f.Result!).ToList(), ct);
        var maxReplicas = Math.Max(group.Count, Replication.MaxReplicasFor(root.Spec.Verify));
        var verdict = Quorum.Evaluate(finished, root.Spec.Verify.Quorum, group.Count, maxReplicas,
            (a, b) => agreement.TryGetValue((a.Id, b.Id), out var agree) && agree);
        switch (verdict)
        {
            case QuorumVerdict<Job>.Accepted accepted:
                await AcceptAsync(root, group, accepted, ct);
                break;
            case QuorumVerdict<Job>.LaunchMore more:
                var replicas = Enumerable.Range(group.Count, more.Count).Select(i => ReplicaOf(root, i)).ToList();
                if (await store.PlanReplicasAsync(root.Id, root.PlannedReplicas, group.Count + more.Count, replicas, ct))
                {
                    LogLaunchedMore(root.Id, more.Count, verdict.ToString() ?? "");
                    signals.Changed(root.Id);
                    signals.SchedulingChance();
                }
                break;
            case QuorumVerdict<Job>.Failed failed:
                await RejectAsync(root, group, failed.Reason, ct);
                break;
        }
    }

    private async Task AcceptAsync(Job root, IReadOnlyList<Job> group, QuorumVerdict<Job>.Accepted accepted, CancellationToken ct)
    {
        var winners = accepted.Winners.Select(w => w.Result!).ToList();
        var outputs = winners.Any(w => w.Id == root.Id) ? null : winners[0].Outputs;
        var reason = $"verified: {winners.Count} of {group.Count} replicas agree";
        var winnerIds = winners.Select(w => w.Id).ToHashSet();
        var withResult = group.Where(m => m.Id == root.Id || m.State == JobState.Succeeded).ToList();
        var verdicts = withResult.ToDictionary(m => m.Id, m => winnerIds.Contains(m.Id) ? "agreed" : "disagreed");
        // A canary's members are judged, and paid or closed unpaid by that judgement, before the verdict can replace
        // replica 0's outputs: so a restart finds every member's lease either ended or still judged on its own answer.
        if (root.Kind == JobKind.Canary)
            await canaries.JudgeAsync(withResult, ct);
        // Read before the verdict moves them: a dissenter is outvoted when the winners were reputable as they agreed.
        var scores = await trust.ScoresAsync(ct);
        var dissent = Reputation.DissentEvent(
            [.. winners.Select(w => scores.TryGetValue(ProviderOf(w)!.Value, out var s) ? s : trust.Neutral)], trust.Rules);
        var result = await store.SettleGroupAsync(root.Id, JobState.Succeeded, reason, outputs, verdicts, time.GetUtcNow(), ct);
        if (result.Outcome != TransitionOutcome.Applied)
            return;
        LogAccepted(root.Id, winners.Count, group.Count);
        await CancelRunningAsync(group, "the job was verified without this replica", ct);
        if (root.Kind != JobKind.Canary)
        {
            foreach (var member in withResult)
            {
                var won = winnerIds.Contains(member.Id);
                await trust.RecordAsync(ProviderOf(member)!.Value, member, won ? TrustEvent.VerifiedResult : dissent, ct);
                await SettleAsync(member.Id == root.Id ? result.Job! : member, paid: won, ct);
            }
        }
        await canaries.MaybeHarvestAsync(result.Job!, winners, ct);
        signals.Changed(root.Id);
    }

    private async Task RejectAsync(Job root, IReadOnlyList<Job> group, string reason, CancellationToken ct)
    {
        var verdicts = group.Where(m => m.Id == root.Id || m.State == JobState.Succeeded).ToDictionary(m => m.Id, _ => "disagreed");
        var result = await store.SettleGroupAsync(root.Id, JobState.Failed, $"verification failed: {reason}", null, verdicts, time.GetUtcNow(), ct);
        if (result.Outcome != TransitionOutcome.Applied)
            return;
        LogRejected(root.Id, reason);
        await CancelRunningAsync(group, "the job failed verification", ct);
        // A canary needs no quorum to be judged: every answer is compared with the known one, and paid by that.
        if (root.Kind == JobKind.Canary)
        {
            await canaries.JudgeAsync([.. group.Where(m => m.Id == root.Id || m.State == JobState.Succeeded)], ct);
        }
        else
        {
            // Nobody can be shown right, so nobody is paid and no reputation moves: the disagreement is in the reason.
            foreach (var member in group.Where(m => m.Id == root.Id || m.State == JobState.Succeeded))
                await SettleAsync(member.Id == root.Id ? result.Job! : member, paid: false, ct);
        }
        signals.Changed(root.Id);
    }

    private async Task<Dictionary<(JobId, JobId), bool>> AgreementAsync(IReadOnlyList<Job> results, CancellationToken ct)
    {
        var map = new Dictionary<(JobId, JobId), bool>();
        for (var i = 0; i < results.Count; i++)
        {
            for (var j = i + 1; j < results.Count; j++)
            {
                var (agree, detail) = await comparer.CompareAsync(results[i], results[j], ct);
                map[(results[i].Id, results[j].Id)] = map[(results[j].Id, results[i].Id)] = agree;
                if (!agree)
                    LogDisagreement(results[i].Id, results[j].Id, detail);
            }
        }
        return map;
    }

    private async Task CancelRunningAsync(IEnumerable<Job> members, string reason, CancellationToken ct)
    {
        foreach (var member in members.Where(m => m.GroupOf is not null && !m.State.IsTerminal()))
        {
            var result = await store.CancelAsync(member.Id, reason, time.GetUtcNow(), ct);
            if (result.Outcome != TransitionOutcome.Applied)
                continue;
            if (member.CurrentAttempt is { } attempt && member.State is JobState.Assigned or JobState.Running)
            {
                if (providers.TryGet(attempt.Provider, out var session))
                    session.Send(new CancelLease(member.Id.ToString(), attempt.Epoch, reason));
                await settlement.AttemptEndedAsync(result.Job!, attempt.Epoch, ct);
            }
            signals.Changed(member.Id);
        }
    }

    private Task SettleAsync(Job member, bool paid, CancellationToken ct) =>
        member.Attempts.LastOrDefault(a => a.State == JobState.Succeeded) is { } attempt
            ? settlement.AttemptEndedAsync(member, attempt.Epoch, ct, paid)
            : Task.CompletedTask;

    private ReplicationOptions Replication => options.Value.Trust.Replication;

    /// <summary>The provider of the member's result (its succeeded attempt, else its latest); null when it never ran.</summary>
    private static Address? ProviderOf(Job member) =>
        (member.Attempts.LastOrDefault(a => a.State == JobState.Succeeded) ?? member.CurrentAttempt)?.Provider;

    private Job ReplicaOf(Job root, int replica)
    {
        var now = time.GetUtcNow();
        return new Job(JobId.New(time), root.Requester, root.Name, root.SpecText, root.Spec, JobState.Queued, now, now,
            null, null, root.Inputs, [], [])
        {
            GroupOf = root.Id,
            Replica = replica,
            // A canary's replicas are canaries: paid like it, from its canary account, and judged like it.
            Kind = root.Kind == JobKind.Canary ? JobKind.Canary : JobKind.Replica,
            Authorization = root.Authorization, // leases under the requester's (or canary account's) authorization of the job it replicates
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} runs {Replicas} replica(s) (first provider's streak {Streak})")]
    private partial void LogPlanned(JobId jobId, int replicas, int streak);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: no quorum yet, launching {Count} more replica(s) ({Verdict})")]
    private partial void LogLaunchedMore(JobId jobId, int count, string verdict);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} verified: {Winners} of {Replicas} replicas agree")]
    private partial void LogAccepted(JobId jobId, int winners, int replicas);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed verification: {Reason}")]
    private partial void LogRejected(JobId jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replicas {A} and {B} disagree: {Detail}")]
    private partial void LogDisagreement(JobId a, JobId b, string detail);
}
