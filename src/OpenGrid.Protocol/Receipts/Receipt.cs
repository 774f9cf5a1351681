using OpenGrid.Core.Content;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// What a provider signs when an attempt ends (EIP-712 type <c>Receipt</c>, see <see cref="ReceiptSigning"/> and
/// docs/receipts.md). Every field is signed; the input and output lists travel beside the receipt and are bound to
/// it by <see cref="InputsHash"/> and <see cref="OutputsHash"/> (<see cref="ReceiptEncoding"/>).
/// </summary>
/// <param name="JobId">The job id as the API prints it (32 hex digits).</param>
/// <param name="Attempt">The attempt number, 1-based (uint32 on chain).</param>
/// <param name="Epoch">The lease epoch the provider held (uint64 on chain).</param>
/// <param name="SpecHash">keccak256 of the UTF-8 spec text exactly as the coordinator stores it.</param>
/// <param name="RuntimeDigest">What ran: <see cref="ReceiptEncoding.RuntimeDigest"/>.</param>
/// <param name="InputsHash"><see cref="ReceiptEncoding.InputsHash"/> of the inputs the provider fetched.</param>
/// <param name="OutputsHash"><see cref="ReceiptEncoding.OutputsHash"/> of the files the provider uploaded.</param>
/// <param name="Usage">Resources the attempt used.</param>
/// <param name="ExitCode">The job's exit status; <see cref="NoExitCode"/> when it has none (killed, timed out).</param>
/// <param name="Timestamp">When the attempt ended, unix milliseconds (uint64 on chain).</param>
/// <param name="Provider">The signer's address.</param>
/// <param name="PrevReceiptHash"><see cref="ReceiptSigning.Hash"/> of this provider's previous receipt; zero for its first.</param>
public sealed record Receipt(
    string JobId,
    int Attempt,
    long Epoch,
    Bytes32 SpecHash,
    Bytes32 RuntimeDigest,
    Bytes32 InputsHash,
    Bytes32 OutputsHash,
    ReceiptUsage Usage,
    int ExitCode,
    long Timestamp,
    Address Provider,
    Bytes32 PrevReceiptHash)
{
    /// <summary>The <see cref="ExitCode"/> of an attempt whose process did not exit on its own.</summary>
    public const int NoExitCode = -1;
}

/// <summary>The usage vector of an attempt, in integers: milliseconds and bytes (each uint64 on chain).</summary>
/// <param name="WallMs">Wall-clock time the sandbox ran.</param>
/// <param name="CpuMs">CPU time of the job's processes, all cores summed.</param>
/// <param name="GpuMs">GPU time, summed over the GPUs leased (0 without a GPU).</param>
/// <param name="PeakMemoryBytes">Peak resident memory.</param>
public readonly record struct ReceiptUsage(long WallMs, long CpuMs, long GpuMs, long PeakMemoryBytes);

/// <summary>An input file as the job saw it: its path under the work dir and its CID.</summary>
public readonly record struct ReceiptInput(string Path, Cid Cid);

/// <summary>An output file as the provider uploaded it: its path under <c>/out</c>, its CID and size in bytes.</summary>
public readonly record struct ReceiptOutput(string Path, Cid Cid, long Size);
