using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Trust;

/// <summary>
/// Adaptive replication settings, section <c>Coordinator:Trust:Replication</c>.
/// </summary>
public sealed record ReplicationOptions
{
    public const string SectionName = "Coordinator:Trust:Replication";

    public static readonly ReplicationOptions Default = new();

    /// <summary>The streak from which a provider's jobs are replicated only with probability 1/streak. Default 10.</summary>
    public int TrustedStreak { get; init; } = 10;

    /// <summary>The least probability with which a trusted provider's verified job is still replicated as requested,
    /// whatever its streak: the job is replicated when the draw is below max(1/streak, MinProbability). Without it a
    /// provider that cheats rarely enough to keep a long streak is checked ever less often (docs/trust.md, low-rate
    /// cheaters). Default 0.1.</summary>
    public double MinProbability { get; init; } = 0.1;

    /// <summary>How many replicas beyond the job's own may be launched to reach a quorum (after disagreements or
    /// failed replicas) before the job fails. Default 2.</summary>
    public int ExtraReplicas { get; init; } = 2;

    /// <summary>The most replicas a job running under <paramref name="policy"/> may launch in all.</summary>
    public int MaxReplicasFor(VerifyPolicy policy) => policy.Replicas + ExtraReplicas;

    /// <summary>What is wrong with these settings, one message per setting naming it and a valid value; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (TrustedStreak < 1)
            yield return $"{SectionName}:TrustedStreak must be at least 1, e.g. 10";
        if (ExtraReplicas is < 0 or > 16)
            yield return $"{SectionName}:ExtraReplicas must be between 0 and 16, e.g. 2";
        if (MinProbability is not (>= 0 and <= 1))
            yield return $"{SectionName}:MinProbability must be between 0 and 1, e.g. 0.1";
    }
}

/// <summary>
/// BOINC-style adaptive replication. Order: the job's first replica is matched like any job; then, knowing that
/// provider, <see cref="PolicyFor"/> decides whether the job runs as requested or, when the provider is trusted for
/// this job class, on that provider alone; the coordinator then matches the remaining replicas, if any.
/// </summary>
public static class AdaptiveReplication
{
    /// <summary>
    /// The verify policy a job runs under. <paramref name="requested"/> stays as it is when it asks for one replica
    /// (no verification; canaries still police the provider), when <paramref name="forceFull"/> is set, or when the
    /// first replica's provider has a streak below <see cref="ReplicationOptions.TrustedStreak"/> for the job's class.
    /// From that streak on, the job is still replicated as requested with probability
    /// max(1/streak, <see cref="ReplicationOptions.MinProbability"/>) (<paramref name="uniform01"/> below it), and
    /// otherwise runs as <see cref="VerifyPolicy.Single"/>.
    /// </summary>
    /// <param name="uniform01">A uniform draw in [0, 1), e.g. <c>Random.NextDouble()</c>.</param>
    public static VerifyPolicy PolicyFor(VerifyPolicy requested, bool forceFull, int firstProviderStreak, double uniform01, ReplicationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstProviderStreak);
        Uniform.Check(uniform01);
        if (requested.Replicas <= 1 || forceFull || firstProviderStreak < options.TrustedStreak)
            return requested;
        return uniform01 < Math.Max(1.0 / firstProviderStreak, options.MinProbability) ? requested : VerifyPolicy.Single;
    }
}
