using OpenGrid.Core.Specs;

namespace OpenGrid.Verification.Tests;

/// <summary>The comparator registry and the options' validation.</summary>
public class ComparatorsTests
{
    [Fact]
    public void Each_compare_mode_has_its_comparator()
    {
        foreach (var mode in Enum.GetValues<CompareMode>())
        {
            Assert.Equal(mode, Comparators.For(mode).Kind);
            Assert.Same(Comparators.For(mode), Comparators.For(mode));
        }
    }

    [Fact]
    public void Options_refuse_values_that_make_no_sense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ComparatorOptions.Default with { RelativeEpsilon = -1e-6 });
        Assert.Throws<ArgumentOutOfRangeException>(() => ComparatorOptions.Default with { AbsoluteEpsilon = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => ComparatorOptions.Default with { MinSimilarity = 1.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => ComparatorOptions.Default with { MaxImagePixels = 0 });
    }
}
