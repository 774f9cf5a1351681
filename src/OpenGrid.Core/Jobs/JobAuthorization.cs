namespace OpenGrid.Core.Jobs;

/// <summary>
/// A requester's signed permission for the escrow's operator to open leases for one job: the EIP-712
/// <c>JobAuthorization</c> that <c>JobEscrow.openLease</c> checks (docs/payments.md). <see cref="Job"/> is the job's key
/// in the escrow, keccak256(specHash ‖ <see cref="Nonce"/>), which ties it to the spec text it was signed for; both are
/// 32 bytes. Amounts are base units; <see cref="Deadline"/> is whole seconds (no lease opens after it);
/// <see cref="Signature"/> is 65 bytes r ‖ s ‖ v. Replicas of a job lease under the same authorization.
/// </summary>
public sealed record JobAuthorization(
    byte[] Job,
    byte[] Nonce,
    TokenAmount MaxRatePerHour,
    TokenAmount MaxTotal,
    DateTimeOffset Deadline,
    byte[] Signature)
{
    /// <summary>Length of the job key and of the nonce.</summary>
    public const int KeyLength = 32;

    /// <summary>Length of a signature: r (32) ‖ s (32) ‖ v (1).</summary>
    public const int SignatureLength = 65;

    /// <summary>The deadline as the contract sees it: unix seconds.</summary>
    public ulong DeadlineSeconds => (ulong)Math.Max(0, Deadline.ToUnixTimeSeconds());
}
