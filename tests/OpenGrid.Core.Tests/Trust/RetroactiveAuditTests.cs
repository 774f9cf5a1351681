using OpenGrid.Core.Jobs;
using OpenGrid.Core.Trust;

namespace OpenGrid.Core.Tests.Trust;

/// <summary>Which results a retroactive audit re-verifies and what its verdict revokes.</summary>
public sealed class RetroactiveAuditTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 0, 0, 0, TimeSpan.Zero);
    private static readonly Address Original = Address.Parse("0x" + new string('1', 40));
    private static readonly Address Auditor = Address.Parse("0x" + new string('2', 40));
    private static readonly Address Second = Address.Parse("0x" + new string('3', 40));

    [Theory]
    [InlineData(TrustEvent.Disagreed, true)]
    [InlineData(TrustEvent.Outvoted, true)]
    [InlineData(TrustEvent.CanaryFailed, true)]
    [InlineData(TrustEvent.VerifiedResult, false)]
    [InlineData(TrustEvent.CanaryPassed, false)]
    [InlineData(TrustEvent.TimedOut, false)]
    [InlineData(TrustEvent.LeaseLost, false)]
    public void Only_a_wrong_result_triggers_an_audit(TrustEvent trustEvent, bool catches)
    {
        Assert.Equal(catches, RetroactiveAudit.IsCatch(trustEvent));
    }

    [Fact]
    public void An_audit_takes_the_newest_results_up_to_the_window_and_none_older_than_the_max_age()
    {
        // Newest first: accepted 1, 2, … 10 days ago.
        var results = Enumerable.Range(1, 10).Select(days => Now - TimeSpan.FromDays(days)).ToList();

        var byWindow = RetroactiveAudit.Select(results, r => r, Now, new AuditOptions { Window = 3, MaxAge = TimeSpan.FromDays(30) });
        var byAge = RetroactiveAudit.Select(results, r => r, Now, new AuditOptions { Window = 100, MaxAge = TimeSpan.FromDays(7) });
        var off = RetroactiveAudit.Select(results, r => r, Now, AuditOptions.Default);

        Assert.Equal(results.Take(3), byWindow);
        Assert.Equal(results.Take(7), byAge);
        Assert.Empty(off);
    }

    [Fact]
    public void The_original_is_revoked_when_the_audits_quorum_outvotes_it_and_kept_when_it_agrees()
    {
        var outvoted = Quorum.Evaluate(
            [ReplicaOutcome<int>.Success(1, Original, 41), ReplicaOutcome<int>.Success(2, Auditor, 42), ReplicaOutcome<int>.Success(3, Second, 42)],
            quorum: 2, launched: 3, maxReplicas: 4, (a, b) => a == b);
        var confirmed = Quorum.Evaluate(
            [ReplicaOutcome<int>.Success(1, Original, 42), ReplicaOutcome<int>.Success(2, Auditor, 42)],
            quorum: 2, launched: 2, maxReplicas: 4, (a, b) => a == b);
        var undecided = Quorum.Evaluate(
            [ReplicaOutcome<int>.Success(1, Original, 41), ReplicaOutcome<int>.Success(2, Auditor, 42)],
            quorum: 2, launched: 2, maxReplicas: 4, (a, b) => a == b);

        Assert.True(RetroactiveAudit.Revokes(outvoted, originalReplica: 1));
        Assert.False(RetroactiveAudit.Revokes(confirmed, originalReplica: 1));
        Assert.False(RetroactiveAudit.Revokes(undecided, originalReplica: 1));
    }

    [Fact]
    public void Audit_settings_are_validated_with_the_setting_named()
    {
        Assert.Empty(AuditOptions.Default.Validate());
        Assert.Equal(
            ["Coordinator:Trust:Audit:Window must be between 0 and 10000, e.g. 50", "Coordinator:Trust:Audit:MaxAge must be positive, e.g. 7.00:00:00"],
            new AuditOptions { Window = -1, MaxAge = TimeSpan.Zero }.Validate());
    }
}
