namespace OpenGrid.Core.Trust;

/// <summary>
/// A provider's reputation as last written: <see cref="Score"/> (0..1) as of <see cref="At"/>. The score drifts toward
/// neutral after that; read it with <see cref="Reputation.ScoreAt"/>.
/// </summary>
public readonly record struct Standing(double Score, DateTimeOffset At)
{
    /// <summary>A provider the coordinator has not seen before: the neutral score.</summary>
    public static Standing Newcomer(DateTimeOffset at, ReputationOptions options) => new(options.Neutral, at);
}

/// <summary>
/// Reputation arithmetic: every event adds or subtracts a fixed amount (clamped to 0..1), and between events the
/// score decays exponentially toward <see cref="ReputationOptions.Neutral"/>. Slow to earn, fast to lose: the gain
/// for a verified result is small, every loss is a multiple of it (see <see cref="ReputationOptions"/>). Pure: time is
/// a parameter. docs/trust.md explains the defaults.
/// </summary>
public static class Reputation
{
    /// <summary>
    /// The score at <paramref name="now"/>: <c>neutral + (score − neutral) · 2^(−elapsed / half-life)</c>. A
    /// <paramref name="now"/> before the standing's time reads the standing's score (time never runs backwards).
    /// </summary>
    public static double ScoreAt(Standing standing, DateTimeOffset now, ReputationOptions options)
    {
        var elapsed = now - standing.At;
        if (elapsed <= TimeSpan.Zero)
            return Math.Clamp(standing.Score, 0, 1);
        var kept = Math.Pow(0.5, elapsed / options.HalfLife);
        return Math.Clamp(options.Neutral + (standing.Score - options.Neutral) * kept, 0, 1);
    }

    /// <summary>
    /// The standing after <paramref name="trustEvent"/> at <paramref name="at"/>: the score decayed to
    /// <paramref name="at"/>, plus <see cref="Change"/>, clamped to 0..1. An event older than the standing (a late
    /// report) is applied at the standing's time.
    /// </summary>
    public static Standing Apply(Standing standing, TrustEvent trustEvent, DateTimeOffset at, ReputationOptions options)
    {
        var when = at < standing.At ? standing.At : at;
        var score = ScoreAt(standing, when, options) + Change(trustEvent, options);
        return new Standing(Math.Clamp(score, 0, 1), when);
    }

    /// <summary>What one event adds to the score before clamping: +gain for a verified result or a passed canary, a
    /// negative loss otherwise.</summary>
    public static double Change(TrustEvent trustEvent, ReputationOptions options) => trustEvent switch
    {
        TrustEvent.VerifiedResult or TrustEvent.CanaryPassed => options.VerifiedGain,
        TrustEvent.Disagreed => -options.DisagreementLoss,
        TrustEvent.Outvoted => -options.OutvotedLoss,
        TrustEvent.CanaryFailed => -options.CanaryFailureLoss,
        TrustEvent.TimedOut or TrustEvent.LeaseLost or TrustEvent.Cancelled => -options.FailureLoss,
        _ => throw new ArgumentOutOfRangeException(nameof(trustEvent), trustEvent, "not a trust event"),
    };

    /// <summary>
    /// What a dissenter's result says against it, given the scores (now) of the providers whose agreeing results were
    /// accepted: <see cref="TrustEvent.Outvoted"/> when two or more of them agree and every one is at or above
    /// <see cref="ReputationOptions.ReputableScore"/> (independent, established providers reproduced another answer),
    /// else <see cref="TrustEvent.Disagreed"/>.
    /// </summary>
    public static TrustEvent DissentEvent(IReadOnlyCollection<double> winnerScores, ReputationOptions options) =>
        winnerScores.Count >= 2 && winnerScores.All(s => s >= options.ReputableScore) ? TrustEvent.Outvoted : TrustEvent.Disagreed;

    /// <summary>Whether the matcher may lease work to a provider with this score: at or above
    /// <see cref="ReputationOptions.MatchFloor"/>. A job's <c>placement.minReputation</c> can only raise the bar.</summary>
    public static bool IsMatchable(double score, ReputationOptions options) => score >= options.MatchFloor;
}
