namespace OpenGrid.Core.Trust;

/// <summary>
/// A provider's streak for one <see cref="JobClass"/>: how many verified results (agreeing quorums, passed canaries)
/// it has given in a row. Only checked results count: a result accepted without verification leaves it alone, so a
/// streak can only be earned under scrutiny.
/// </summary>
public static class Streaks
{
    /// <summary>The streak after <paramref name="trustEvent"/>: +1 for <see cref="TrustEvent.VerifiedResult"/> and
    /// <see cref="TrustEvent.CanaryPassed"/>, 0 for <see cref="TrustEvent.Disagreed"/>, <see cref="TrustEvent.Outvoted"/> and
    /// <see cref="TrustEvent.CanaryFailed"/>, unchanged for timeouts, lost leases and cancellations (no result to judge).</summary>
    public static int After(int streak, TrustEvent trustEvent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(streak);
        return trustEvent switch
        {
            TrustEvent.VerifiedResult or TrustEvent.CanaryPassed => streak == int.MaxValue ? streak : streak + 1,
            TrustEvent.Disagreed or TrustEvent.Outvoted or TrustEvent.CanaryFailed => 0,
            TrustEvent.TimedOut or TrustEvent.LeaseLost or TrustEvent.Cancelled => streak,
            _ => throw new ArgumentOutOfRangeException(nameof(trustEvent), trustEvent, "not a trust event"),
        };
    }
}
