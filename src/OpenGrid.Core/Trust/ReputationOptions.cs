namespace OpenGrid.Core.Trust;

/// <summary>
/// How reputation moves, section <c>Coordinator:Trust:Reputation</c>. Scores are 0..1. With the defaults a verified
/// result earns 0.01, a timeout, lost lease or provider cancellation costs 5 of those, a disagreement with an accepted
/// quorum 25, and a failed canary 100 (the whole scale: the score drops to 0). docs/trust.md says why.
/// </summary>
public sealed record ReputationOptions
{
    public const string SectionName = "Coordinator:Trust:Reputation";

    public static readonly ReputationOptions Default = new();

    /// <summary>Where a newcomer starts and where every score decays to. Default 0.5.</summary>
    public double Neutral { get; init; } = 0.5;

    /// <summary>Time for a score's distance from neutral to halve without events. Default 7 days.</summary>
    public TimeSpan HalfLife { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Added for a verified result or a passed canary. Default 0.01 (50 in a row take a newcomer to 1).</summary>
    public double VerifiedGain { get; init; } = 0.01;

    /// <summary>Subtracted for a timeout, a lost lease or a provider-side cancellation. Default 0.05.</summary>
    public double FailureLoss { get; init; } = 0.05;

    /// <summary>Subtracted for a result that differs from an accepted quorum. Default 0.25: a newcomer falls below
    /// <see cref="MatchFloor"/> at its first disagreement, an established provider survives two or three.</summary>
    public double DisagreementLoss { get; init; } = 0.25;

    /// <summary>Subtracted for a result outvoted by two or more reputable providers (<see cref="TrustEvent.Outvoted"/>).
    /// Default: the same as <see cref="DisagreementLoss"/>; docs/trust.md (low-rate cheaters) measures larger ones.</summary>
    public double OutvotedLoss { get; init; } = 0.5;

    /// <summary>The score from which a provider counts as reputable for <see cref="TrustEvent.Outvoted"/>. Default 0.6
    /// (a newcomer needs ten more verified results than failures).</summary>
    public double ReputableScore { get; init; } = 0.6;

    /// <summary>Subtracted for a wrong canary answer. Default 1: any score drops to 0.</summary>
    public double CanaryFailureLoss { get; init; } = 1.0;

    /// <summary>The least score the matcher leases work to. Default 0.3: a provider at 0 climbs back by decay alone
    /// in about 1.3 half-lives (9 days).</summary>
    public double MatchFloor { get; init; } = 0.3;

    /// <summary>What is wrong with these settings, one message per setting naming it and a valid value; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (Neutral is not (>= 0 and <= 1))
            yield return $"{SectionName}:Neutral must be between 0 and 1, e.g. 0.5";
        if (HalfLife <= TimeSpan.Zero)
            yield return $"{SectionName}:HalfLife must be positive, e.g. 7.00:00:00";
        if (VerifiedGain is not (> 0 and <= 1))
            yield return $"{SectionName}:VerifiedGain must be above 0 and at most 1, e.g. 0.01";
        foreach (var (name, loss) in new[] { (nameof(FailureLoss), FailureLoss), (nameof(DisagreementLoss), DisagreementLoss), (nameof(OutvotedLoss), OutvotedLoss), (nameof(CanaryFailureLoss), CanaryFailureLoss) })
        {
            if (loss is not (>= 0 and <= 1) || loss < VerifiedGain)
                yield return $"{SectionName}:{name} must be between {SectionName}:VerifiedGain ({VerifiedGain}) and 1 (slow to earn, fast to lose), e.g. 0.05";
        }
        if (ReputableScore is not (>= 0 and <= 1))
            yield return $"{SectionName}:ReputableScore must be between 0 and 1, e.g. 0.6";
        if (MatchFloor is not (>= 0 and <= 1) || MatchFloor > Neutral)
            yield return $"{SectionName}:MatchFloor must be between 0 and {SectionName}:Neutral ({Neutral}) so that newcomers are matched, e.g. 0.3";
    }
}
