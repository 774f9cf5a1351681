using static OpenGrid.Verification.Tests.Bytes;

namespace OpenGrid.Verification.Tests;

/// <summary>Numeric CSV outputs: same shape, numeric cells within tolerance, other cells exact, quoted cells.</summary>
public class ToleranceCsvTests
{
    private const string Path = "history.csv";
    private const string History = "epoch,loss,acc\n1,0.5,0.8\n2,0.25,0.9\n";

    private static Comparison Compare(string a, string b) =>
        ToleranceComparator.Instance.Compare(Path, Utf8(a), Utf8(b), ComparatorOptions.Default);

    [Fact]
    public void Cells_within_tolerance_agree_whatever_the_line_endings()
    {
        var comparison = Compare(History, "epoch,loss,acc\r\n1,0.50000000001,0.8\r\n2,0.25,9e-1");

        Assert.Equal(new Comparison(true, "history.csv: CSV agrees within tolerance (3 records, 3 columns)"), comparison);
    }

    [Fact]
    public void A_cell_outside_tolerance_disagrees_naming_record_and_column()
    {
        var comparison = Compare(History, "epoch,loss,acc\n1,0.5,0.8\n2,0.3,0.9\n");

        Assert.Equal(
            new Comparison(false, "history.csv: record 3, column 2 'loss': 0.25 vs 0.3 differ by 0.05 (16.67%), more than 0.0001% or 1E-09"),
            comparison);
    }

    [Fact]
    public void Quoted_cells_hold_commas_quotes_and_line_breaks()
    {
        const string a = "name,score\n\"Smith, John\",1.0\n\"say \"\"hi\"\"\nthere\",2\n";
        const string b = "name,score\n\"Smith, John\",1.0000000001\n\"say \"\"hi\"\"\nthere\",\"2\"\n";

        Assert.True(Compare(a, b).Agree);
        Assert.Equal(
            new Comparison(false, "history.csv: record 2, column 1 'name': 'Smith, John' vs 'Smith, Jon'"),
            Compare(a, a.Replace("John", "Jon", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("x,y\n1,2\n", "x,y\n1,2\n3,4\n", "2 vs 3 records")]
    [InlineData("x,y\n1,2\n", "x,y,z\n1,2,3\n", "2 vs 3 columns")]
    [InlineData("x,y\n1,2\n", "x,z\n1,2\n", "record 1, column 2: 'y' vs 'z'")]
    [InlineData("x\nNaN\n", "x\n1\n", "record 2, column 1 'x': NaN vs 1 (NaN and infinities agree only with themselves)")]
    public void Different_shape_or_cells_disagree(string a, string b, string expected)
    {
        Assert.Equal(new Comparison(false, $"{Path}: {expected}"), Compare(a, b));
    }

    [Fact]
    public void Nan_cells_agree_with_nan_cells()
    {
        Assert.True(Compare("x,y\nNaN,1\n", "x,y\nnan,1.0\n").Agree);
    }

    [Fact]
    public void Text_that_is_not_csv_is_compared_exactly_and_the_detail_says_why()
    {
        var comparison = Compare("a,b\nc\n", "a,b\nd\n");

        Assert.Equal(
            new Comparison(false, "history.csv: neither JSON nor CSV (a: record 2 has 1 cells, record 1 has 2; "
                + "b: record 2 has 1 cells, record 1 has 2), compared exactly: bytes differ at offset 4 (sizes 6 vs 6)"),
            comparison);
    }

    [Fact]
    public void Binary_content_is_compared_exactly()
    {
        var comparison = ToleranceComparator.Instance.Compare(Path, [0xFF, 0x00, 0x01], [0xFF, 0x00, 0x02], ComparatorOptions.Default);

        Assert.Equal(
            new Comparison(false, "history.csv: neither JSON nor CSV (a: not UTF-8 text; b: not UTF-8 text), "
                + "compared exactly: bytes differ at offset 2 (sizes 3 vs 3)"),
            comparison);
    }

    [Theory]
    [InlineData("x,y\n1,2\n", "x,y\n1,\"2\"x\n", "a is CSV, b is not (record 2 has text after a closing quote)")]
    [InlineData("x,\"y\n1,2\n", "x,y\n1,2\n", "b is CSV, a is not (record 1 has a quote that is never closed)")]
    [InlineData("x,y\n1,2\n", "x,y\n1,2\"\n", "a is CSV, b is not (record 2 has a quote inside an unquoted cell)")]
    public void Csv_against_malformed_csv_disagrees(string a, string b, string expected)
    {
        Assert.Equal(new Comparison(false, $"{Path}: {expected}"), Compare(a, b));
    }
}
