using OpenGrid.Core.Specs;

namespace OpenGrid.Verification;

/// <summary>
/// Decides whether two replicas' bytes for one output file agree, for one spec <c>compare</c> mode. Pure and
/// thread-safe: no I/O, no state. Never throws for malformed or hostile content (that is a disagreement with a
/// reason); throws only for null arguments.
/// </summary>
public interface IOutputComparator
{
    /// <summary>The spec's <c>compare</c> value this comparator implements.</summary>
    CompareMode Kind { get; }

    /// <summary>Compares replica <paramref name="a"/>'s bytes with replica <paramref name="b"/>'s for the output
    /// at <paramref name="path"/> (relative to <c>/out</c>; used in the detail only).</summary>
    Comparison Compare(string path, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ComparatorOptions options);
}
