using OpenGrid.Coordinator.Content;
using OpenGrid.Verification;
using OpenGrid.Core.Jobs;

namespace OpenGrid.Coordinator.Verification;

/// <summary>
/// Decides whether two replicas' results agree under the comparators the spec declares for its outputs. Equal CIDs
/// agree without reading anything; otherwise the bytes are read (re-hashed) from the content store and compared.
/// </summary>
public sealed class ResultComparer(FileBlockstore content)
{
    /// <summary>The largest output read into memory for a comparison; larger differing outputs disagree.</summary>
    public const long MaxCompareBytes = 256L << 20;

    public Task<(bool Agree, string Detail)> CompareAsync(Job a, Job b, CancellationToken ct) => CompareAsync(a.Spec.Outputs, a.Outputs, b.Outputs, ct);

    /// <summary>Whether two output sets agree under the <paramref name="declared"/> outputs' comparators.</summary>
    public async Task<(bool Agree, string Detail)> CompareAsync(IReadOnlyList<Core.Specs.OutputSpec> declared, IReadOnlyList<OutputFile> a,
        IReadOnlyList<OutputFile> b, CancellationToken ct)
    {
        if (SameCids(a, b))
            return (true, "identical outputs");
        var bytesA = await ReadAsync(a, ct);
        var bytesB = await ReadAsync(b, ct);
        if (bytesA is null || bytesB is null)
            return (false, "outputs differ and are too large or unreadable to compare");
        var result = ReplicaAgreement.Compare(declared, bytesA, bytesB, ComparatorOptions.Default);
        return (result.Agree, result.Detail);
    }

    private static bool SameCids(IReadOnlyList<OutputFile> a, IReadOnlyList<OutputFile> b) =>
        a.Count == b.Count && a.OrderBy(o => o.Path, StringComparer.Ordinal).Zip(b.OrderBy(o => o.Path, StringComparer.Ordinal))
            .All(p => p.First.Path == p.Second.Path && p.First.Cid == p.Second.Cid);

    /// <summary>The outputs' bytes by path, re-hashed on read; null when they pass <see cref="MaxCompareBytes"/> or one is unreadable.</summary>
    public async Task<Dictionary<string, ReadOnlyMemory<byte>>?> ReadAsync(IReadOnlyList<OutputFile> outputs, CancellationToken ct)
    {
        var files = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        long total = 0;
        foreach (var output in outputs)
        {
            total += output.Size;
            if (total > MaxCompareBytes)
                return null;
            await using var stream = await content.OpenVerifiedAsync(output.Cid, ct);
            if (stream is null)
                return null;
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct);
            files[output.Path] = buffer.ToArray();
        }
        return files;
    }
}
