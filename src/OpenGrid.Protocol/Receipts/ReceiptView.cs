using OpenGrid.Core.Jobs;

namespace OpenGrid.Protocol.Receipts;

/// <summary>
/// A <see cref="Receipt"/> on the wire: hashes as 0x-hex bytes32, the provider as a 0x address, integers as JSON
/// numbers (all below 2^53 in practice: milliseconds, bytes, counters).
/// </summary>
public sealed record ReceiptView(
    string JobId,
    int Attempt,
    long Epoch,
    string SpecHash,
    string RuntimeDigest,
    string InputsHash,
    string OutputsHash,
    ReceiptUsage Usage,
    int ExitCode,
    long Timestamp,
    string Provider,
    string PrevReceiptHash)
{
    public static ReceiptView From(Receipt r) =>
        new(r.JobId, r.Attempt, r.Epoch, r.SpecHash.ToString(), r.RuntimeDigest.ToString(), r.InputsHash.ToString(),
            r.OutputsHash.ToString(), r.Usage, r.ExitCode, r.Timestamp, r.Provider.Value, r.PrevReceiptHash.ToString());

    /// <summary>The receipt, or null with <paramref name="error"/> naming the first malformed field.</summary>
    public Receipt? ToReceipt(out string? error)
    {
        error = null;
        var hashes = new[]
        {
            (nameof(SpecHash), SpecHash), (nameof(RuntimeDigest), RuntimeDigest), (nameof(InputsHash), InputsHash),
            (nameof(OutputsHash), OutputsHash), (nameof(PrevReceiptHash), PrevReceiptHash),
        };
        var parsed = new Bytes32[hashes.Length];
        for (var i = 0; i < hashes.Length; i++)
        {
            if (!Bytes32.TryParse(hashes[i].Item2, out parsed[i]))
            {
                error = $"{Camel(hashes[i].Item1)} '{hashes[i].Item2}' is not 0x followed by 64 hex digits";
                return null;
            }
        }
        if (!Address.TryParse(Provider, out var provider))
        {
            error = $"provider '{Provider}' is not a 0x address";
            return null;
        }
        var receipt = new Receipt(JobId ?? "", Attempt, Epoch, parsed[0], parsed[1], parsed[2], parsed[3], Usage, ExitCode, Timestamp,
            provider, parsed[4]);
        if (JobId is null || !ReceiptCheck.IsWellFormed(receipt))
        {
            error = "jobId is missing, or attempt, epoch, usage or timestamp is negative";
            return null;
        }
        return receipt;
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
