using OpenGrid.Core.Specs;

namespace OpenGrid.Verification;

/// <summary>The comparator for each spec <c>compare</c> mode (stateless singletons).</summary>
public static class Comparators
{
    /// <summary>The comparator implementing <paramref name="kind"/>.</summary>
    public static IOutputComparator For(CompareMode kind) => kind switch
    {
        CompareMode.Exact => ExactComparator.Instance,
        CompareMode.Tolerance => ToleranceComparator.Instance,
        CompareMode.Image => ImageComparator.Instance,
        CompareMode.Text => TextComparator.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown compare mode"),
    };
}
