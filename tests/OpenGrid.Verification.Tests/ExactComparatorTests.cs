using static OpenGrid.Verification.Tests.Bytes;

namespace OpenGrid.Verification.Tests;

/// <summary>The byte-for-byte fallback behind CID comparison.</summary>
public class ExactComparatorTests
{
    [Fact]
    public void Identical_bytes_agree()
    {
        Assert.Equal(
            new Comparison(true, "hello.txt: identical (6 bytes)"),
            ExactComparator.Instance.Compare("hello.txt", Utf8("hello\n"), Utf8("hello\n"), ComparatorOptions.Default));
    }

    [Theory]
    [InlineData("hello\n", "hellO\n", "bytes differ at offset 4 (sizes 6 vs 6)")]
    [InlineData("hello\n", "hello\n\n", "bytes differ at offset 6 (sizes 6 vs 7)")]
    [InlineData("hello\n", "hello \n", "bytes differ at offset 5 (sizes 6 vs 7)")]
    public void Any_different_byte_disagrees_naming_the_offset(string a, string b, string expected)
    {
        Assert.Equal(
            new Comparison(false, $"hello.txt: {expected}"),
            ExactComparator.Instance.Compare("hello.txt", Utf8(a), Utf8(b), ComparatorOptions.Default));
    }
}
