namespace OpenGrid.Core.Trust;

/// <summary>
/// Retroactive audit settings, section <c>Coordinator:Trust:Audit</c>. When a provider is caught, its most recent
/// verified jobs that adaptive replication let it run alone are run again elsewhere; a result the re-run outvotes is
/// revoked. Off by default (<see cref="Window"/> 0); docs/trust.md measures what it buys.
/// </summary>
public sealed record AuditOptions
{
    public const string SectionName = "Coordinator:Trust:Audit";

    public static readonly AuditOptions Default = new();

    /// <summary>How many of a caught provider's most recent unreplicated verified results are re-verified. Default 0: no audits.</summary>
    public int Window { get; init; }

    /// <summary>Results accepted longer ago than this are not audited. Default 7 days.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>What is wrong with these settings, one message per setting naming it and a valid value; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (Window is < 0 or > 10_000)
            yield return $"{SectionName}:Window must be between 0 and 10000, e.g. 50";
        if (MaxAge <= TimeSpan.Zero)
            yield return $"{SectionName}:MaxAge must be positive, e.g. 7.00:00:00";
    }
}

/// <summary>
/// Which results to re-verify when a provider is caught, and what a re-run says. An audit is a verified job of its own:
/// the original result is replica 1, the re-runs on other providers the rest, decided by <see cref="Quorum"/>; the
/// original is revoked when it is among the dissenters of an accepted quorum.
/// </summary>
public static class RetroactiveAudit
{
    /// <summary>Whether <paramref name="trustEvent"/> catches a provider giving a wrong result: a disagreement, an
    /// outvoted result or a failed canary.</summary>
    public static bool IsCatch(TrustEvent trustEvent) =>
        trustEvent is TrustEvent.Disagreed or TrustEvent.Outvoted or TrustEvent.CanaryFailed;

    /// <summary>
    /// The results to re-verify: from <paramref name="newestFirst"/> (the caught provider's unreplicated verified
    /// results, newest first), those accepted within <see cref="AuditOptions.MaxAge"/> of <paramref name="now"/>, at
    /// most <see cref="AuditOptions.Window"/>.
    /// </summary>
    public static IReadOnlyList<T> Select<T>(IEnumerable<T> newestFirst, Func<T, DateTimeOffset> acceptedAt, DateTimeOffset now, AuditOptions options) =>
        [.. newestFirst.TakeWhile(r => now - acceptedAt(r) <= options.MaxAge).Take(options.Window)];

    /// <summary>Whether an audit's verdict revokes the original result (replica <paramref name="originalReplica"/>):
    /// a quorum was accepted and the original is not in it.</summary>
    public static bool Revokes<TResult>(QuorumVerdict<TResult> verdict, int originalReplica) =>
        verdict is QuorumVerdict<TResult>.Accepted accepted && accepted.Dissenters.Any(d => d.Replica == originalReplica);
}
