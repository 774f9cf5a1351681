using OpenGrid.Core.Jobs;

namespace OpenGrid.Core.Trust;

/// <summary>
/// One finished replica of a job: its number (1-based, in launch order), the provider that ran it, and whether it
/// produced a result. <see cref="Result"/> is meaningful only when <see cref="Succeeded"/> (e.g. the output CIDs).
/// </summary>
public sealed record ReplicaOutcome<TResult>(int Replica, Address Provider, bool Succeeded, TResult? Result)
{
    /// <summary>A replica that finished with <paramref name="result"/>.</summary>
    public static ReplicaOutcome<TResult> Success(int replica, Address provider, TResult result) => new(replica, provider, true, result);

    /// <summary>A replica that ended without a result (failed, timed out, lease lost).</summary>
    public static ReplicaOutcome<TResult> Failure(int replica, Address provider) => new(replica, provider, false, default);
}

/// <summary>What to do with a replicated job now. A closed set: one of the nested records.</summary>
public abstract record QuorumVerdict<TResult>
{
    private QuorumVerdict()
    {
    }

    /// <summary>A quorum agrees. <see cref="Winners"/> gave the accepted result (report
    /// <see cref="TrustEvent.VerifiedResult"/> for each when there are two or more), <see cref="Dissenters"/> gave
    /// another (<see cref="TrustEvent.Disagreed"/>). Replicas still running may be cancelled at no provider's fault.</summary>
    public sealed record Accepted(IReadOnlyList<ReplicaOutcome<TResult>> Winners, IReadOnlyList<ReplicaOutcome<TResult>> Dissenters)
        : QuorumVerdict<TResult>
    {
        /// <summary>The accepted result: the first winner's.</summary>
        public TResult Result => Winners[0].Result!;
    }

    /// <summary>No quorum yet, but the <see cref="Running"/> replicas could still make one: wait for them.</summary>
    public sealed record Pending(int Running) : QuorumVerdict<TResult>;

    /// <summary>No quorum, and the running replicas cannot make one: launch <see cref="Count"/> more replicas on
    /// providers not used by this job yet (the fewest that could still make a quorum).</summary>
    public sealed record LaunchMore(int Count) : QuorumVerdict<TResult>;

    /// <summary>No quorum can be reached within the replica limit. <see cref="Reason"/> shows the disagreement;
    /// <see cref="Groups"/> are the agreeing groups (largest first), <see cref="Failures"/> the replicas without a
    /// result. Nobody is blamed: without a quorum there is no reference to disagree with.</summary>
    public sealed record Failed(
        string Reason,
        IReadOnlyList<IReadOnlyList<ReplicaOutcome<TResult>>> Groups,
        IReadOnlyList<ReplicaOutcome<TResult>> Failures) : QuorumVerdict<TResult>;
}

/// <summary>
/// Decides a replicated job: <c>verify: { replicas: M, quorum: N }</c> succeeds when N results agree.
/// <para>Groups: results are taken in replica order; each joins the first group whose <em>first</em> member it agrees
/// with, or starts a new group. Agreement under a tolerance is not transitive (a ≈ b and b ≈ c without a ≈ c), so a
/// group is "everything close to its first member", and two members of one group may differ by up to twice the
/// tolerance. The same inputs always give the same groups.</para>
/// <para>Acceptance: the largest group wins when it has at least N members and no other group is as large; a tie
/// between groups is a disagreement even when both reach N (possible only when N is half the replicas or less), and
/// one more replica is needed to break it.</para>
/// </summary>
public static class Quorum
{
    /// <param name="finished">Replicas that have ended, with or without a result, each on a distinct provider.</param>
    /// <param name="quorum">How many results must agree (N).</param>
    /// <param name="launched">Replicas launched so far, finished or running.</param>
    /// <param name="maxReplicas">The most replicas the job may launch in all (see <see cref="ReplicationOptions.MaxReplicasFor"/>).</param>
    /// <param name="agree">Whether two results agree (the outputs' comparators); expected to be symmetric.</param>
    public static QuorumVerdict<TResult> Evaluate<TResult>(
        IReadOnlyList<ReplicaOutcome<TResult>> finished,
        int quorum,
        int launched,
        int maxReplicas,
        Func<TResult, TResult, bool> agree)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quorum, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(launched, finished.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplicas, launched);
        CheckDistinct(finished);

        var ordered = finished.OrderBy(o => o.Replica).ToList();
        var groups = Group(ordered.Where(o => o.Succeeded), agree);
        var leader = groups.Count > 0 ? groups[0].Count : 0;
        var tied = groups.Count > 1 && groups[1].Count == leader;
        if (leader >= quorum && !tied)
            return new QuorumVerdict<TResult>.Accepted(groups[0], [.. groups.Skip(1).SelectMany(g => g).OrderBy(o => o.Replica)]);

        // The fewest further results that could decide the job: enough for the leader to reach the quorum, and at
        // least one to break a tie.
        var needed = Math.Max(quorum - leader, tied ? 1 : 0);
        var running = launched - finished.Count;
        if (running >= needed)
            return new QuorumVerdict<TResult>.Pending(running);
        var more = needed - running;
        if (launched + more <= maxReplicas)
            return new QuorumVerdict<TResult>.LaunchMore(more);

        var failures = ordered.Where(o => !o.Succeeded).ToList();
        return new QuorumVerdict<TResult>.Failed(Describe(groups, failures, quorum, launched), groups, failures);
    }

    /// <summary>Groups by agreement with each group's first member, largest first (ties: earliest first member).</summary>
    private static List<IReadOnlyList<ReplicaOutcome<TResult>>> Group<TResult>(
        IEnumerable<ReplicaOutcome<TResult>> results, Func<TResult, TResult, bool> agree)
    {
        var groups = new List<List<ReplicaOutcome<TResult>>>();
        foreach (var outcome in results)
        {
            var home = groups.Find(g => agree(g[0].Result!, outcome.Result!));
            if (home is null)
                groups.Add([outcome]);
            else
                home.Add(outcome);
        }
        return [.. groups.OrderByDescending(g => g.Count).ThenBy(g => g[0].Replica)];
    }

    private static void CheckDistinct<TResult>(IReadOnlyList<ReplicaOutcome<TResult>> finished)
    {
        if (finished.Select(o => o.Replica).Distinct().Count() != finished.Count)
            throw new ArgumentException("each finished replica must appear once", nameof(finished));
        if (finished.Select(o => o.Provider).Distinct().Count() != finished.Count)
            throw new ArgumentException("replicas of one job must run on distinct providers: a provider cannot agree with itself", nameof(finished));
    }

    /// <summary>E.g. <c>no 2 of 4 replicas agree: replicas 1, 3 (0xa…, 0xb…) gave X; replica 2 (0xc…) gave Y; replica 4 (0xd…) failed</c>.</summary>
    private static string Describe<TResult>(
        List<IReadOnlyList<ReplicaOutcome<TResult>>> groups, List<ReplicaOutcome<TResult>> failures, int quorum, int launched)
    {
        var parts = groups.Select(g => $"{Replicas(g)} gave {g[0].Result}")
            .Concat(failures.Count > 0 ? [$"{Replicas(failures)} failed"] : []);
        return $"no {quorum} of {launched} replicas agree: {string.Join("; ", parts)}";
    }

    private static string Replicas<TResult>(IReadOnlyList<ReplicaOutcome<TResult>> outcomes) =>
        $"{(outcomes.Count == 1 ? "replica" : "replicas")} {string.Join(", ", outcomes.Select(o => o.Replica))} ({string.Join(", ", outcomes.Select(o => o.Provider))})";
}
