using OpenGrid.Core;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// The coordinator's acceptance test for a receipt arriving with <c>job_finished</c>: the lease holder signed it,
/// for this job, attempt and epoch, over the stored spec, and it extends that provider's chain by exactly one.
/// Checked in that order; the first failure is returned. A redelivery of a receipt already stored for this attempt
/// is the caller's to recognise before calling (it would otherwise read as <see cref="ErrorCodes.ReceiptReplayed"/>).
/// </summary>
public static class ReceiptCheck
{
    /// <param name="receipt">The receipt as the provider sent it.</param>
    /// <param name="signature">Its 65-byte signature.</param>
    /// <param name="jobId">The job the lease is for.</param>
    /// <param name="attempt">The lease's attempt.</param>
    /// <param name="epoch">The lease's current epoch.</param>
    /// <param name="specHash"><see cref="ReceiptEncoding.SpecHash"/> of the stored spec text.</param>
    /// <param name="provider">The lease holder.</param>
    /// <param name="lastAcceptedHash">The <see cref="ReceiptSigning.Hash"/> of the last receipt accepted from
    /// <paramref name="provider"/>, or <see cref="Bytes32.Zero"/> when none was.</param>
    /// <param name="domain">The coordinator's receipt domain.</param>
    /// <returns>Null when the receipt is acceptable, else the rejection with its stable code.</returns>
    public static Rejection? Validate(
        Receipt receipt,
        ReadOnlySpan<byte> signature,
        string jobId,
        int attempt,
        long epoch,
        Bytes32 specHash,
        Address provider,
        Bytes32 lastAcceptedHash,
        ReceiptDomain domain)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (receipt.Provider != provider)
            return new(ErrorCodes.ReceiptBadSignature, $"the receipt names provider {receipt.Provider}, but the lease is held by {provider}");
        if (!IsWellFormed(receipt))
            return new(ErrorCodes.ReceiptBadSignature, "the receipt has a negative attempt, epoch, usage or timestamp and cannot be signed");
        var signer = ReceiptSigning.RecoverSigner(receipt, domain, signature);
        if (signer is null)
            return new(ErrorCodes.ReceiptBadSignature, $"the receipt signature is malformed (expected {ReceiptSigning.SignatureLength} bytes r‖s‖v, v 27 or 28, low s)");
        if (signer != provider)
            return new(ErrorCodes.ReceiptBadSignature, $"the receipt is signed by {signer}, not by the lease holder {provider}");
        if (receipt.JobId != jobId || receipt.Attempt != attempt)
            return new(ErrorCodes.ReceiptReplayed, $"the receipt is for job {receipt.JobId} attempt {receipt.Attempt}, not job {jobId} attempt {attempt}");
        if (receipt.Epoch != epoch)
            return new(ErrorCodes.ReceiptStaleEpoch, $"the receipt is for epoch {receipt.Epoch}; the lease's epoch is {epoch}");
        if (receipt.SpecHash != specHash)
            return new(ErrorCodes.ReceiptWrongSpec, $"the receipt's spec hash {receipt.SpecHash} is not the job's spec hash {specHash}");
        var hash = ReceiptSigning.Hash(receipt);
        if (hash == lastAcceptedHash)
            return new(ErrorCodes.ReceiptReplayed, $"receipt {hash} was already accepted");
        if (receipt.PrevReceiptHash != lastAcceptedHash)
            return new(ErrorCodes.ReceiptChainBroken,
                $"the receipt follows {receipt.PrevReceiptHash}, but the provider's last accepted receipt is {Describe(lastAcceptedHash)}");
        return null;
    }

    /// <summary>True when every field fits its on-chain type (nothing negative but the exit code).</summary>
    public static bool IsWellFormed(Receipt receipt) =>
        receipt.JobId is not null && receipt.Attempt >= 0 && receipt.Epoch >= 0 && receipt.Timestamp >= 0
        && receipt.Usage is { WallMs: >= 0, CpuMs: >= 0, GpuMs: >= 0, PeakMemoryBytes: >= 0 };

    private static string Describe(Bytes32 hash) => hash.IsZero ? "none (zero)" : hash.ToString();
}
