using OpenGrid.Core.Specs;

namespace OpenGrid.Core.Tests.Specs;

public class QuantitiesTests
{
    private const long Kibibyte = 1L << 10;
    private const long Mebibyte = 1L << 20;
    private const long Gibibyte = 1L << 30;
    private const long Tebibyte = 1L << 40;

    [Theory]
    [InlineData("1", 1000)]
    [InlineData("2", 2000)]
    [InlineData("0.5", 500)]
    [InlineData("1.25", 1250)]
    [InlineData("0.001", 1)]
    [InlineData("500m", 500)]
    [InlineData("1m", 1)]
    [InlineData("0", 0)]
    public void Cpu_accepts_cores_and_millicores(string text, long expectedMillicores)
    {
        Assert.True(Quantities.TryParseCpu(text, out var millicores, out var error), error);
        Assert.Equal(expectedMillicores, millicores);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData(".5")]
    [InlineData("1.")]
    [InlineData("500M")]
    [InlineData("1 ")]
    [InlineData(" 1")]
    [InlineData("1e3")]
    [InlineData("m")]
    [InlineData("1.5m")]
    [InlineData("two")]
    public void Cpu_rejects_anything_else_and_says_what_is_valid(string text)
    {
        Assert.False(Quantities.TryParseCpu(text, out _, out var error));
        Assert.Equal($"'{text}' is not a CPU quantity; {Quantities.CpuHint}", error);
    }

    [Fact]
    public void Cpu_rejects_more_precision_than_a_millicore()
    {
        Assert.False(Quantities.TryParseCpu("0.0005", out _, out var error));
        Assert.Contains("finer than a millicore", error);
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999999999999m")]
    [InlineData("9223372036854775807")]
    public void Cpu_reports_overflow_instead_of_wrapping(string text)
    {
        Assert.False(Quantities.TryParseCpu(text, out _, out var error));
        Assert.Contains("too large", error);
    }

    [Theory]
    [InlineData("512Mi", 512 * Mebibyte)]
    [InlineData("2Gi", 2 * Gibibyte)]
    [InlineData("64Ki", 64 * Kibibyte)]
    [InlineData("1Ti", Tebibyte)]
    [InlineData("1G", 1_000_000_000)]
    [InlineData("100M", 100_000_000)]
    [InlineData("3k", 3_000)]
    [InlineData("2T", 2_000_000_000_000)]
    [InlineData("1024", 1024)]
    [InlineData("0", 0)]
    public void Sizes_accept_binary_and_decimal_units(string text, long expectedBytes)
    {
        Assert.True(Quantities.TryParseBytes(text, out var bytes, out var error), error);
        Assert.Equal(expectedBytes, bytes);
    }

    [Theory]
    [InlineData("2GB")]
    [InlineData("512mi")]
    [InlineData("1K")]
    [InlineData("1 Gi")]
    [InlineData(" 1Gi")]
    [InlineData("-1Mi")]
    [InlineData("1.5Gi")]
    [InlineData("Gi")]
    [InlineData("")]
    [InlineData("1Pi")]
    [InlineData("0x10")]
    public void Sizes_reject_anything_else_and_say_what_is_valid(string text)
    {
        Assert.False(Quantities.TryParseBytes(text, out _, out var error));
        Assert.Equal($"'{text}' is not a size; {Quantities.SizeHint}", error);
    }

    [Fact]
    public void Size_error_reads_as_documented()
    {
        Quantities.TryParseBytes("2GB", out _, out var error);

        Assert.Equal("'2GB' is not a size; use a number with Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), e.g. 512Mi", error);
    }

    [Theory]
    [InlineData("8388608Ti")]
    [InlineData("99999999999999999999")]
    public void Sizes_report_overflow_instead_of_wrapping(string text)
    {
        Assert.False(Quantities.TryParseBytes(text, out _, out var error));
        Assert.Contains("too large", error);
    }

    [Theory]
    [InlineData("30s", 0, 0, 30, 0)]
    [InlineData("10m", 0, 10, 0, 0)]
    [InlineData("2h", 2, 0, 0, 0)]
    [InlineData("1h30m", 1, 30, 0, 0)]
    [InlineData("500ms", 0, 0, 0, 500)]
    [InlineData("1m30s500ms", 0, 1, 30, 500)]
    [InlineData("90m", 0, 90, 0, 0)]
    [InlineData("0s", 0, 0, 0, 0)]
    public void Durations_accept_units_from_hours_to_milliseconds(string text, int hours, int minutes, int seconds, int millis)
    {
        Assert.True(Quantities.TryParseDuration(text, out var duration, out var error), error);
        Assert.Equal(new TimeSpan(0, hours, minutes, seconds, millis), duration);
    }

    [Fact]
    public void Durations_accept_days()
    {
        const int Week = 7;

        Assert.True(Quantities.TryParseDuration("7d", out var duration));
        Assert.Equal(TimeSpan.FromDays(Week), duration);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("-1s")]
    [InlineData("1.5h")]
    [InlineData("1s1m")]
    [InlineData("1m1m")]
    [InlineData("1 s")]
    [InlineData("10M")]
    [InlineData("s")]
    [InlineData("")]
    [InlineData("1h ")]
    [InlineData("1w")]
    public void Durations_reject_anything_else_and_say_what_is_valid(string text)
    {
        Assert.False(Quantities.TryParseDuration(text, out _, out var error));
        Assert.Equal($"'{text}' is not a duration; {Quantities.DurationHint}", error);
    }

    [Theory]
    [InlineData("99999999999999999999s")]
    [InlineData("9999999999999d")]
    [InlineData("10675200d")]
    public void Durations_report_overflow_instead_of_throwing(string text)
    {
        Assert.False(Quantities.TryParseDuration(text, out _, out var error));
        Assert.Contains("too large", error);
    }

    [Fact]
    public void Parsing_null_is_an_error_not_an_exception()
    {
        Assert.False(Quantities.TryParseCpu(null, out _));
        Assert.False(Quantities.TryParseBytes(null, out _));
        Assert.False(Quantities.TryParseDuration(null, out _));
    }

    [Theory]
    [InlineData(2 * Gibibyte, "2Gi")]
    [InlineData(512 * Mebibyte, "512Mi")]
    [InlineData(1536 * Kibibyte, "1536Ki")]
    [InlineData(Tebibyte, "1Ti")]
    [InlineData(1_000_000_000, "1G")]
    [InlineData(2_000, "2k")]
    [InlineData(1_500, "1500")]
    [InlineData(0, "0")]
    public void Sizes_format_with_the_largest_exact_unit(long bytes, string expected) =>
        Assert.Equal(expected, Quantities.FormatBytes(bytes));

    [Theory]
    [InlineData(500, "500m")]
    [InlineData(1500, "1500m")]
    [InlineData(2000, "2")]
    [InlineData(0, "0")]
    public void Cpu_formats_whole_cores_plainly_and_the_rest_in_millicores(long millicores, string expected) =>
        Assert.Equal(expected, Quantities.FormatCpu(millicores));

    [Theory]
    [InlineData("1h30m")]
    [InlineData("500ms")]
    [InlineData("7d")]
    [InlineData("10m")]
    [InlineData("1d2h3m4s5ms")]
    [InlineData("0s")]
    public void Durations_format_back_to_the_same_text(string text)
    {
        Assert.True(Quantities.TryParseDuration(text, out var duration));
        Assert.Equal(text, Quantities.FormatDuration(duration));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(1023L)]
    [InlineData(1024L)]
    [InlineData(4_000_000L)]
    [InlineData(3L << 30)]
    [InlineData(64L << 40)]
    [InlineData(long.MaxValue)]
    public void Formatted_sizes_parse_back_to_the_same_bytes(long bytes)
    {
        Assert.True(Quantities.TryParseBytes(Quantities.FormatBytes(bytes), out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(999L)]
    [InlineData(1000L)]
    [InlineData(1_024_000L)]
    public void Formatted_cpu_parses_back_to_the_same_millicores(long millicores)
    {
        Assert.True(Quantities.TryParseCpu(Quantities.FormatCpu(millicores), out var parsed));
        Assert.Equal(millicores, parsed);
    }
}
