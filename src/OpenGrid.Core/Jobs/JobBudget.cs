using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Jobs;

/// <summary>
/// The most a job may cost its requester in escrow, computed in one place for everyone who needs it: the coordinator
/// (the deposit it checks at submit and the authorization it requires) and clients (the authorization they sign).
/// The arithmetic mirrors contracts/JobEscrow.sol: pay for s seconds at r per hour is floor(s × r / 3600).
/// </summary>
public static class JobBudget
{
    /// <summary>Pay for <paramref name="seconds"/> of use at a rate per hour, rounded down (JobEscrow.payFor).</summary>
    public static TokenAmount PayFor(TokenAmount ratePerHour, ulong seconds) =>
        TokenAmount.FromBaseUnits(checked((long)((UInt128)seconds * (ulong)ratePerHour.BaseUnits / 3600)));

    /// <summary>The cap of one lease: pay for the whole timeout (whole seconds, rounded up) at the rate.</summary>
    public static TokenAmount LeaseCap(TokenAmount ratePerHour, TimeSpan timeout) =>
        PayFor(ratePerHour, (ulong)Math.Ceiling(timeout.TotalSeconds));

    /// <summary>
    /// The most whole seconds a lease with <paramref name="cap"/> can pay for at the rate:
    /// <c>floor(s × rate / 3600) ≤ cap ⇔ s ≤ ((cap + 1) × 3600 − 1) / rate</c>. Zero for a rate of zero.
    /// </summary>
    public static ulong SecondsWithin(TokenAmount ratePerHour, TokenAmount cap)
    {
        if (ratePerHour.BaseUnits <= 0 || cap.BaseUnits < 0)
            return 0;
        var seconds = (((UInt128)(ulong)cap.BaseUnits + 1) * 3600 - 1) / (ulong)ratePerHour.BaseUnits;
        return seconds > ulong.MaxValue ? ulong.MaxValue : (ulong)seconds;
    }

    /// <summary>
    /// The least cap worth opening a lease for: one second's pay at the rate (and at least one base unit, which the
    /// escrow requires of any cap).
    /// </summary>
    public static TokenAmount MinimumCap(TokenAmount ratePerHour) =>
        TokenAmount.FromBaseUnits(Math.Max(1, PayFor(ratePerHour, 1).BaseUnits));

    /// <summary>
    /// The cap of a lease opened under a job authorization whose leases already hold <paramref name="committed"/>
    /// (the escrow's <c>committedOf</c>: what the job's earlier leases still lock plus what they paid): the full
    /// <paramref name="cap"/>, lowered to what <paramref name="maxTotal"/> still allows, so that the open never takes the
    /// job over its authorization. Null when what is left does not reach <see cref="MinimumCap"/>: the job's budget is
    /// used up.
    /// </summary>
    public static TokenAmount? CapWithin(TokenAmount cap, TokenAmount ratePerHour, TokenAmount maxTotal, TokenAmount committed)
    {
        var left = maxTotal.BaseUnits - committed.BaseUnits;
        var lowered = Math.Min(cap.BaseUnits, left);
        return lowered >= MinimumCap(ratePerHour).BaseUnits ? TokenAmount.FromBaseUnits(lowered) : null;
    }

    /// <summary>
    /// How many leases of the job can hold money at once: 1, or for a verified job (<c>verify.replicas</c> above 1)
    /// its replicas plus the <paramref name="extraReplicas"/> the coordinator may launch to reach a quorum
    /// (<c>Coordinator:Trust:MaxExtraReplicas</c>, which <c>GET /v1/chain</c> publishes).
    /// </summary>
    public static int MaxLeases(VerifyPolicy verify, int extraReplicas)
    {
        ArgumentNullException.ThrowIfNull(verify);
        ArgumentOutOfRangeException.ThrowIfNegative(extraReplicas);
        return verify.Replicas > 1 ? verify.Replicas + extraReplicas : 1;
    }

    /// <summary>
    /// The job's worst case: <see cref="LeaseCap"/> at <c>price.maxPerHour</c> for <c>limits.timeout</c>, times
    /// <see cref="MaxLeases"/>. The escrow deposit must cover it at submit, and it is the <c>maxTotal</c> of the job's
    /// authorization: the leases of the job never lock and release more than this together. A retry fits because
    /// the lease it replaces is closed (refunded) first; what that lease paid stays counted, so the retry's cap is
    /// lowered to what is left (<see cref="CapWithin"/>).
    /// </summary>
    public static TokenAmount MaxTotal(JobSpec spec, int extraReplicas)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return TokenAmount.FromBaseUnits(checked(LeaseCap(spec.Price.MaxPerHour, spec.Limits.Timeout).BaseUnits
            * MaxLeases(spec.Verify, extraReplicas)));
    }
}
