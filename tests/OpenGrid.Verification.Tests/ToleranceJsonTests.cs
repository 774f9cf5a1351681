using OpenGrid.Core.Specs;
using static OpenGrid.Verification.Tests.Bytes;

namespace OpenGrid.Verification.Tests;

/// <summary>Numeric JSON outputs (metrics.json): same structure, numbers within tolerance, the path of the first difference.</summary>
public class ToleranceJsonTests
{
    private const string Path = "metrics.json";

    private static Comparison Compare(string a, string b, ComparatorOptions? options = null) =>
        ToleranceComparator.Instance.Compare(Path, Utf8(a), Utf8(b), options ?? ComparatorOptions.Default);

    [Fact]
    public void Numbers_within_tolerance_agree_whatever_the_key_order()
    {
        var comparison = Compare(
            """{"accuracy": 0.8512, "loss": [0.5, 0.25], "epochs": 3}""",
            """{"epochs": 3.0, "loss": [0.50000000001, 0.25], "accuracy": 0.85120000001}""");

        Assert.Equal(new Comparison(true, "metrics.json: JSON agrees within tolerance"), comparison);
    }

    [Fact]
    public void A_number_outside_tolerance_disagrees_with_its_path_values_and_bounds()
    {
        var comparison = Compare("""{"accuracy": 0.8512}""", """{"accuracy": 0.9012}""");

        Assert.Equal(
            new Comparison(false, "metrics.json: $.accuracy 0.8512 vs 0.9012 differ by 0.05 (5.548%), more than 0.0001% or 1E-09"),
            comparison);
    }

    [Theory]
    [InlineData("""{"epochs": [{"loss": 1.0}, {"loss": 0.5}]}""", """{"epochs": [{"loss": 1.0}, {"loss": 0.6}]}""", "$.epochs[1].loss 0.5 vs 0.6 differ")]
    [InlineData("""{"top-1 acc": 1}""", """{"top-1 acc": 2}""", "$['top-1 acc'] 1 vs 2 differ")]
    [InlineData("""[1, 2, 3]""", """[1, 2, 3.5]""", "$[2] 3 vs 3.5 differ")]
    public void The_detail_names_the_json_path_of_the_first_difference(string a, string b, string expected)
    {
        var comparison = Compare(a, b);

        Assert.False(comparison.Agree);
        Assert.StartsWith($"{Path}: {expected} by ", comparison.Detail);
    }

    [Theory]
    [InlineData("""{"f1": 1, "loss": 2}""", """{"loss": 2}""", "$.f1 only in a")]
    [InlineData("""{"loss": 2}""", """{"loss": 2, "f1": 1}""", "$.f1 only in b")]
    [InlineData("""{"loss": [1, 2]}""", """{"loss": [1, 2, 3]}""", "$.loss has 2 vs 3 items")]
    [InlineData("""{"n": 1}""", """{"n": "1"}""", "$.n 1 vs '1'")]
    [InlineData("""{"n": {}}""", """{"n": []}""", "$.n an object vs an array of 0")]
    [InlineData("""{"model": "resnet"}""", """{"model": "vgg"}""", "$.model 'resnet' vs 'vgg'")]
    [InlineData("""{"ok": true}""", """{"ok": false}""", "$.ok true vs false")]
    [InlineData("""{"best": null}""", """{"best": 0}""", "$.best null vs 0")]
    [InlineData("""{"a": 1, "a": 2}""", """{"a": 2}""", "$ has 2 vs 1 members (a key is repeated)")]
    public void Different_structure_or_values_other_than_numbers_disagree(string a, string b, string expected)
    {
        Assert.Equal(new Comparison(false, $"{Path}: {expected}"), Compare(a, b));
    }

    [Fact]
    public void Nan_agrees_only_with_nan_as_python_writes_it()
    {
        Assert.True(Compare("""{"loss": NaN, "acc": 0.5}""", """{"loss":NaN,"acc":0.5000000001}""").Agree);
        Assert.True(Compare("""[-Infinity, 1]""", """[-Infinity, 1.0]""").Agree);
        Assert.Equal(
            new Comparison(false, "metrics.json: $.loss NaN vs 0.5 (NaN and infinities agree only with themselves)"),
            Compare("""{"loss": NaN}""", """{"loss": 0.5}"""));
        Assert.False(Compare("""[Infinity]""", """[-Infinity]""").Agree);
    }

    [Fact]
    public void A_string_nan_is_not_the_number_nan()
    {
        Assert.Equal(new Comparison(false, "metrics.json: $.x 'NaN' vs NaN"), Compare("""{"x": "NaN"}""", """{"x": NaN}"""));
    }

    [Fact]
    public void Near_zero_the_absolute_epsilon_decides()
    {
        Assert.True(Compare("[0]", "[1e-10]").Agree);
        Assert.False(Compare("[0]", "[1e-8]").Agree);
    }

    [Fact]
    public void Wider_options_accept_a_larger_difference()
    {
        var loose = ComparatorOptions.Default with { RelativeEpsilon = 0.1 };

        Assert.True(Compare("""{"accuracy": 0.8512}""", """{"accuracy": 0.9012}""", loose).Agree);
    }

    [Fact]
    public void Numbers_beyond_double_range_are_compared_as_written()
    {
        Assert.True(Compare("[1e400, 1]", "[1e400, 1.0]").Agree);
        Assert.Equal(new Comparison(false, "metrics.json: $[0] 1e400 vs 2e400"), Compare("[1e400]", "[2e400]"));
    }

    [Fact]
    public void Json_against_something_else_disagrees()
    {
        Assert.Equal(new Comparison(false, "metrics.json: a is JSON, b is not"), Compare("""{"a": 1}""", """{"a": 1"""));
    }

    [Fact]
    public void The_comparator_implements_the_tolerance_mode()
    {
        Assert.Equal(CompareMode.Tolerance, ToleranceComparator.Instance.Kind);
    }
}
