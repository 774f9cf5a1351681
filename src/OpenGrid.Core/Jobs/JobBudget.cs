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
    /// the lease it replaces is closed (refunded) first.
    /// </summary>
    public static TokenAmount MaxTotal(JobSpec spec, int extraReplicas)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return TokenAmount.FromBaseUnits(checked(LeaseCap(spec.Price.MaxPerHour, spec.Limits.Timeout).BaseUnits
            * MaxLeases(spec.Verify, extraReplicas)));
    }
}
