using OpenGrid.Chain.Receipts;
using OpenGrid.Protocol.Receipts;

namespace OpenGrid.Testing;

/// <summary>A C# <see cref="Receipt"/> as the ReceiptVerifier contract's <c>Receipt</c> struct, field for field.</summary>
public static class ReceiptTuples
{
    public static ReceiptTuple From(Receipt r) => new()
    {
        JobId = r.JobId, Attempt = (uint)r.Attempt, Epoch = (ulong)r.Epoch, SpecHash = r.SpecHash.ToArray(),
        RuntimeDigest = r.RuntimeDigest.ToArray(), InputsHash = r.InputsHash.ToArray(), OutputsHash = r.OutputsHash.ToArray(),
        WallMs = (ulong)r.Usage.WallMs, CpuMs = (ulong)r.Usage.CpuMs, GpuMs = (ulong)r.Usage.GpuMs,
        PeakMemoryBytes = (ulong)r.Usage.PeakMemoryBytes, ExitCode = r.ExitCode, Timestamp = (ulong)r.Timestamp,
        Provider = r.Provider.Value, PrevReceiptHash = r.PrevReceiptHash.ToArray(),
    };
}
