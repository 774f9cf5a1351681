using OpenGrid.Core.Jobs;
using OpenGrid.Core.Specs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// Builds a <see cref="Receipt"/> from what an attempt was and did, computing every hash the one way
/// <see cref="ReceiptEncoding"/> defines, so provider and coordinator arrive at the same receipt.
/// </summary>
public static class ReceiptFactory
{
    /// <param name="jobId">The job id as the API prints it.</param>
    /// <param name="attempt">The attempt number (1-based).</param>
    /// <param name="epoch">The lease epoch.</param>
    /// <param name="specText">The spec text exactly as the provider received it in <c>Assign</c> — the provider view
    /// (<c>ProviderSpec</c>) — which is what <c>specHash</c> covers.</param>
    /// <param name="spec">That text, parsed (what <c>runtimeDigest</c> covers).</param>
    /// <param name="inputs">The inputs as fetched, in any order.</param>
    /// <param name="outputs">The outputs as uploaded, in any order.</param>
    /// <param name="usage">The usage vector.</param>
    /// <param name="exitCode">The job's exit status, or null when it has none (becomes <see cref="Receipt.NoExitCode"/>).</param>
    /// <param name="finishedAt">When the attempt ended (milliseconds are kept).</param>
    /// <param name="provider">The signing provider.</param>
    /// <param name="prevReceiptHash">The provider's previous receipt's <see cref="ReceiptSigning.Hash"/>; zero for its first.</param>
    public static Receipt Create(
        string jobId,
        int attempt,
        long epoch,
        string specText,
        JobSpec spec,
        IEnumerable<ReceiptInput> inputs,
        IEnumerable<ReceiptOutput> outputs,
        ReceiptUsage usage,
        int? exitCode,
        DateTimeOffset finishedAt,
        Address provider,
        Bytes32 prevReceiptHash)
    {
        ArgumentNullException.ThrowIfNull(specText);
        ArgumentNullException.ThrowIfNull(spec);
        return new Receipt(
            jobId,
            attempt,
            epoch,
            ReceiptEncoding.SpecHash(specText),
            ReceiptEncoding.RuntimeDigest(spec.Runtime),
            ReceiptEncoding.InputsHash(inputs),
            ReceiptEncoding.OutputsHash(outputs),
            usage,
            exitCode ?? Receipt.NoExitCode,
            finishedAt.ToUnixTimeMilliseconds(),
            provider,
            prevReceiptHash);
    }
}
