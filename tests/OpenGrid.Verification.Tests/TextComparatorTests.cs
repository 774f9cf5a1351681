using OpenGrid.Core.Specs;
using static OpenGrid.Verification.Tests.Bytes;

namespace OpenGrid.Verification.Tests;

/// <summary>Text outputs (seeded LLM answers): whitespace does not matter by default, words do.</summary>
public class TextComparatorTests
{
    private const string Path = "answer.txt";

    private static Comparison Compare(string a, string b, ComparatorOptions? options = null) =>
        TextComparator.Instance.Compare(Path, Utf8(a), Utf8(b), options ?? ComparatorOptions.Default);

    [Theory]
    [InlineData("The quick  brown\r\nfox\n", "  The quick brown fox")]
    [InlineData("The quick brown fox", "The\tquick\nbrown\r\n\r\nfox\n\n")]
    [InlineData("The quick brown fox", "The\u00A0quick brown\u2003fox")]
    public void Whitespace_variants_agree(string a, string b)
    {
        Assert.Equal(new Comparison(true, "answer.txt: same 4 words (whitespace ignored)"), Compare(a, b));
    }

    [Fact]
    public void A_different_word_disagrees_with_its_position()
    {
        Assert.Equal(
            new Comparison(false, "answer.txt: word 5 (line 2, column 1): 'jumps' vs 'sleeps'"),
            Compare("The quick brown fox\njumps", "The quick brown fox sleeps"));
    }

    [Fact]
    public void More_words_on_one_side_disagree()
    {
        Assert.Equal(
            new Comparison(false, "answer.txt: b has more words: word 3 (line 1, column 11) is 'fox'"),
            Compare("The quick", "The quick fox"));
    }

    [Fact]
    public void Without_normalisation_whitespace_matters()
    {
        var exact = ComparatorOptions.Default with { NormalizeWhitespace = false };

        Assert.Equal(
            new Comparison(false, "answer.txt: line 2, column 7: 'fox\\n' vs ' fox\\n'"),
            Compare("The quick\nbrown fox\n", "The quick\nbrown  fox\n", exact));
        Assert.True(Compare("same\n", "same\n", exact).Agree);
    }

    [Fact]
    public void Invalid_utf8_is_compared_as_bytes()
    {
        var comparison = TextComparator.Instance.Compare(Path, [0x61, 0xC3], [0x61, 0x20, 0xC3], ComparatorOptions.Default);

        Assert.Equal(
            new Comparison(false, "answer.txt: not valid UTF-8, compared exactly: bytes differ at offset 1 (sizes 2 vs 3)"),
            comparison);
    }

    [Fact]
    public void The_comparator_implements_the_text_mode()
    {
        Assert.Equal(CompareMode.Text, TextComparator.Instance.Kind);
    }
}
