using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OpenGrid.Core.Jobs;
using OpenGrid.Core.Trust;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>Quorum verdicts: accept, wait, launch more, fail with the disagreement shown; tolerance grouping.</summary>
public sealed class QuorumTests
{
    private static readonly Func<string, string, bool> Same = (a, b) => a == b;
    private static readonly Func<double, double, bool> WithinOne = (a, b) => Math.Abs(a - b) <= 1.0;

    [Fact]
    public void Two_agreeing_replicas_of_two_are_accepted()
    {
        var verdict = Quorum.Evaluate([Ok(1, "x"), Ok(2, "x")], quorum: 2, launched: 2, maxReplicas: 4, Same);

        var accepted = Assert.IsType<QuorumVerdict<string>.Accepted>(verdict);
        Assert.Equal([1, 2], accepted.Winners.Select(w => w.Replica));
        Assert.Empty(accepted.Dissenters);
        Assert.Equal("x", accepted.Result);
    }

    [Fact]
    public void A_finished_replica_waits_for_the_one_still_running()
    {
        Assert.Equal(new QuorumVerdict<string>.Pending(1), Quorum.Evaluate([Ok(1, "x")], 2, 2, 4, Same));
    }

    [Fact]
    public void A_disagreement_launches_one_more_replica_and_the_majority_wins()
    {
        Assert.Equal(new QuorumVerdict<string>.LaunchMore(1), Quorum.Evaluate([Ok(1, "x"), Ok(2, "y")], 2, 2, 4, Same));

        var verdict = Quorum.Evaluate([Ok(1, "x"), Ok(2, "y"), Ok(3, "y")], 2, 3, 4, Same);

        var accepted = Assert.IsType<QuorumVerdict<string>.Accepted>(verdict);
        Assert.Equal([2, 3], accepted.Winners.Select(w => w.Replica));
        Assert.Equal([1], accepted.Dissenters.Select(d => d.Replica));
    }

    [Fact]
    public void A_failed_replica_is_replaced_without_waiting_when_the_running_ones_cannot_make_a_quorum()
    {
        Assert.Equal(new QuorumVerdict<string>.LaunchMore(1), Quorum.Evaluate([Failed(1)], 2, 2, 4, Same));
        Assert.Equal(new QuorumVerdict<string>.LaunchMore(2), Quorum.Evaluate([Failed(1), Failed(2)], 2, 2, 4, Same));
    }

    [Fact]
    public void Without_a_quorum_at_the_replica_limit_the_job_fails_showing_the_disagreement()
    {
        var verdict = Quorum.Evaluate([Ok(1, "x"), Ok(2, "y"), Ok(3, "z"), Failed(4)], 2, 4, 4, Same);

        var failed = Assert.IsType<QuorumVerdict<string>.Failed>(verdict);
        Assert.Equal(
            $"no 2 of 4 replicas agree: replica 1 ({Provider(1)}) gave x; replica 2 ({Provider(2)}) gave y; replica 3 ({Provider(3)}) gave z; replica 4 ({Provider(4)}) failed",
            failed.Reason);
        Assert.Equal(3, failed.Groups.Count);
        Assert.Equal([4], failed.Failures.Select(f => f.Replica));
    }

    [Fact]
    public void The_failure_names_the_replicas_that_agreed()
    {
        var verdict = Quorum.Evaluate([Ok(1, "x"), Ok(2, "y"), Ok(3, "x")], 3, 3, 3, Same);

        var failed = Assert.IsType<QuorumVerdict<string>.Failed>(verdict);
        Assert.StartsWith($"no 3 of 3 replicas agree: replicas 1, 3 ({Provider(1)}, {Provider(3)}) gave x; replica 2", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void It_fails_early_when_even_every_running_and_allowed_replica_agreeing_could_not_make_a_quorum()
    {
        // Three of three must agree, two already differ: the third cannot fix that.
        Assert.IsType<QuorumVerdict<string>.Failed>(Quorum.Evaluate([Ok(1, "x"), Ok(2, "y")], 3, 3, 3, Same));
    }

    [Fact]
    public void Two_groups_that_both_reach_the_quorum_are_a_tie_that_one_more_replica_breaks()
    {
        Assert.Equal(new QuorumVerdict<string>.LaunchMore(1), Quorum.Evaluate([Ok(1, "x"), Ok(2, "y")], 1, 2, 3, Same));
        Assert.IsType<QuorumVerdict<string>.Failed>(Quorum.Evaluate([Ok(1, "x"), Ok(2, "y")], 1, 2, 2, Same));

        var accepted = Assert.IsType<QuorumVerdict<string>.Accepted>(Quorum.Evaluate([Ok(1, "x"), Ok(2, "y"), Ok(3, "y")], 1, 3, 3, Same));
        Assert.Equal("y", accepted.Result);
    }

    [Fact]
    public void Under_a_tolerance_a_result_joins_the_group_of_the_first_member_it_agrees_with()
    {
        // 0 ≈ 0.8 ≈ 1.6 but 0 is not within 1 of 1.6: the group is "close to replica 1", so replica 3 dissents.
        var verdict = Quorum.Evaluate([Ok(1, 0.0), Ok(2, 0.8), Ok(3, 1.6)], 2, 3, 5, WithinOne);

        var accepted = Assert.IsType<QuorumVerdict<double>.Accepted>(verdict);
        Assert.Equal([1, 2], accepted.Winners.Select(w => w.Replica));
        Assert.Equal([3], accepted.Dissenters.Select(d => d.Replica));
    }

    [Fact]
    public void Groups_follow_replica_order_not_the_order_the_outcomes_are_listed_in()
    {
        // Replica 1 gave 0.8 this time: both neighbours are within 1 of it, so all three agree.
        var verdict = Quorum.Evaluate([Ok(3, 1.6), Ok(2, 0.0), Ok(1, 0.8)], 3, 3, 3, WithinOne);

        var accepted = Assert.IsType<QuorumVerdict<double>.Accepted>(verdict);
        Assert.Equal([1, 2, 3], accepted.Winners.Select(w => w.Replica));
    }

    [Fact]
    public void A_provider_cannot_agree_with_itself()
    {
        var same = Address.Parse(Provider(1));

        var error = Assert.Throws<ArgumentException>(() =>
            Quorum.Evaluate([ReplicaOutcome<string>.Success(1, same, "x"), ReplicaOutcome<string>.Success(2, same, "x")], 2, 2, 2, Same));
        Assert.Contains("distinct providers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_finished_than_launched_is_a_bug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Quorum.Evaluate([Ok(1, "x"), Ok(2, "x")], 2, 1, 4, Same));
    }

    /// <summary>Over generated outcomes with exact comparison: every verdict is the right one, and never exceeds the limit.</summary>
    [Property(MaxTest = 1000)]
    public void Every_verdict_is_consistent_with_the_outcomes(PositiveInt quorumSeed, byte[] results, byte stillRunning, byte headroom)
    {
        // Results are one of three values, or (255) a failed replica.
        var finished = results.Take(8).Select((r, i) => r == 255 ? Failed(i + 1) : Ok(i + 1, ((char)('a' + r % 3)).ToString())).ToList();
        var launched = finished.Count + stillRunning % 3;
        var max = launched + headroom % 3;
        var quorum = 1 + quorumSeed.Get % 4;

        var counts = finished.Where(o => o.Succeeded).GroupBy(o => o.Result).Select(g => g.Count()).OrderDescending().ToList();
        var leader = counts.FirstOrDefault();
        var unique = counts.Count < 2 || counts[1] < leader;
        var decided = leader >= quorum && unique;
        // The fewest further results that could decide it: all joining the leader, one more to break a tie.
        var needed = Math.Max(quorum - leader, unique ? 0 : 1);
        var running = launched - finished.Count;

        switch (Quorum.Evaluate(finished, quorum, launched, max, Same))
        {
            case QuorumVerdict<string>.Accepted a:
                Assert.True(decided, "accepted without a unique quorum");
                Assert.All(a.Winners, w => Assert.Equal(a.Result, w.Result));
                Assert.All(a.Dissenters, d => Assert.NotEqual(a.Result, d.Result));
                Assert.Equal(finished.Count(o => o.Succeeded), a.Winners.Count + a.Dissenters.Count);
                break;
            case QuorumVerdict<string>.Pending p:
                Assert.False(decided, "waited despite a quorum");
                Assert.Equal(running, p.Running);
                Assert.True(running >= needed, "waits for replicas that cannot decide it");
                break;
            case QuorumVerdict<string>.LaunchMore m:
                Assert.False(decided, "launched more despite a quorum");
                Assert.Equal(needed - running, m.Count);
                Assert.True(m.Count >= 1 && launched + m.Count <= max, $"launching {m.Count} breaks the limit of {max}");
                break;
            case QuorumVerdict<string>.Failed f:
                Assert.False(decided, "failed despite a quorum");
                Assert.True(max - finished.Count < needed, $"failed although {max - finished.Count} more results could still decide: {f.Reason}");
                break;
        }
    }

    private static string Provider(int replica) => $"0x{replica:x40}";

    private static ReplicaOutcome<T> Ok<T>(int replica, T result) => ReplicaOutcome<T>.Success(replica, Address.Parse(Provider(replica)), result);

    private static ReplicaOutcome<string> Failed(int replica) => ReplicaOutcome<string>.Failure(replica, Address.Parse(Provider(replica)));
}
