using OpenGrid.Core.Specs;

namespace OpenGrid.Verification;

/// <summary>Byte-identical outputs agree. The coordinator compares CIDs first; this is the fallback on bytes, and
/// what the other comparators fall back to for content they cannot interpret.</summary>
public sealed class ExactComparator : IOutputComparator
{
    /// <summary>The one instance (the comparator has no state).</summary>
    public static ExactComparator Instance { get; } = new();

    private ExactComparator()
    {
    }

    /// <inheritdoc/>
    public CompareMode Kind => CompareMode.Exact;

    /// <inheritdoc/>
    public Comparison Compare(string path, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ComparatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        return a.SequenceEqual(b)
            ? Comparison.Agreed(path, $"identical ({a.Length} bytes)")
            : Comparison.Differs(path, FirstDifference(a, b));
    }

    /// <summary>Where two different byte strings first differ, e.g. <c>bytes differ at offset 12 (sizes 40 vs 41)</c>.</summary>
    internal static string FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        $"bytes differ at offset {a.CommonPrefixLength(b)} (sizes {a.Length} vs {b.Length})";
}
