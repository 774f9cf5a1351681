using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace OpenGrid.Core.Specs;

/// <summary>
/// Strict parsing and formatting of the units in a job spec: CPU (<c>2</c>, <c>0.5</c>, <c>500m</c> → millicores),
/// sizes (<c>512Mi</c>, <c>1G</c>, <c>1024</c> → bytes) and durations (<c>30s</c>, <c>1h30m</c>, <c>500ms</c>).
/// Parsing never throws on bad input: it returns false and an error that says what would be valid.
/// Ranges (e.g. "more than zero") are the caller's business; these only check the syntax and overflow.
/// </summary>
public static class Quantities
{
    public const string CpuHint = "use cores (1, 2, 0.5) or millicores (500m)";
    public const string SizeHint = "use a number with Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), e.g. 512Mi";
    public const string DurationHint = "use whole numbers with units d, h, m, s, ms, e.g. 30s, 10m, 1h30m";

    public const long MillicoresPerCore = 1000;

    private const int MaxCpuFractionDigits = 3;

    // Largest first, so formatting picks the biggest unit that divides exactly. Binary before decimal.
    private static readonly (string Suffix, long Factor)[] BinarySizeUnits =
        [("Ti", 1L << 40), ("Gi", 1L << 30), ("Mi", 1L << 20), ("Ki", 1L << 10)];
    private static readonly (string Suffix, long Factor)[] DecimalSizeUnits =
        [("T", 1_000_000_000_000), ("G", 1_000_000_000), ("M", 1_000_000), ("k", 1_000)];

    // In the only order a duration may list them.
    private static readonly (string Suffix, long Milliseconds)[] DurationUnits =
        [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

    public static bool TryParseCpu(string? text, out long millicores) => TryParseCpu(text, out millicores, out _);

    /// <summary>Parses whole or decimal cores (<c>2</c>, <c>0.5</c>, at most 3 decimals) or millicores (<c>500m</c>).</summary>
    public static bool TryParseCpu(string? text, out long millicores, [NotNullWhen(false)] out string? error)
    {
        millicores = 0;
        error = null;
        var s = text.AsSpan();
        if (s.Length > 1 && s[^1] == 'm' && IsDigits(s[..^1]))
        {
            if (long.TryParse(s[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out millicores))
                return true;
            error = TooLarge(text, "CPU quantity");
            return false;
        }

        var dot = s.IndexOf('.');
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? [] : s[(dot + 1)..];
        if (!IsDigits(whole) || (dot >= 0 && !IsDigits(fraction)))
        {
            error = $"{Quote(text)} is not a CPU quantity; {CpuHint}";
            return false;
        }

        if (fraction.Length > MaxCpuFractionDigits)
        {
            error = $"{Quote(text)} is finer than a millicore; use at most 3 decimals or millicores, e.g. 250m";
            return false;
        }

        if (!long.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out var cores)
            || !TryMultiply(cores, MillicoresPerCore, out var wholeMillis))
        {
            error = TooLarge(text, "CPU quantity");
            return false;
        }

        var fractionMillis = fraction.Length == 0
            ? 0
            : long.Parse(fraction.ToString().PadRight(MaxCpuFractionDigits, '0'), CultureInfo.InvariantCulture);
        millicores = wholeMillis + fractionMillis;
        return true;
    }

    public static bool TryParseBytes(string? text, out long bytes) => TryParseBytes(text, out bytes, out _);

    /// <summary>Parses a whole number of bytes with an optional unit: Ki, Mi, Gi, Ti (×1024ⁿ) or k, M, G, T (×1000ⁿ).</summary>
    public static bool TryParseBytes(string? text, out long bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = 0;
        error = null;
        var s = text.AsSpan();
        var digitCount = 0;
        while (digitCount < s.Length && char.IsAsciiDigit(s[digitCount]))
            digitCount++;

        var suffix = s[digitCount..];
        if (digitCount == 0 || !TryGetSizeFactor(suffix, out var factor))
        {
            error = $"{Quote(text)} is not a size; {SizeHint}";
            return false;
        }

        if (!long.TryParse(s[..digitCount], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || !TryMultiply(count, factor, out bytes))
        {
            error = TooLarge(text, "size");
            return false;
        }

        return true;
    }

    public static bool TryParseDuration(string? text, out TimeSpan duration) => TryParseDuration(text, out duration, out _);

    /// <summary>
    /// Parses a sequence of whole numbers with units, largest unit first, each unit at most once:
    /// <c>d</c>, <c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c> (e.g. <c>1h30m</c>, <c>500ms</c>). A bare number is an error.
    /// </summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration, [NotNullWhen(false)] out string? error)
    {
        duration = TimeSpan.Zero;
        error = $"{Quote(text)} is not a duration; {DurationHint}";
        var s = text.AsSpan();
        if (s.IsEmpty)
            return false;

        long totalMillis = 0;
        var nextUnit = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
                i++;
            if (i == start)
                return false;
            var number = s[start..i];

            var unit = FindDurationUnit(s[i..], nextUnit);
            if (unit < 0)
                return false;
            i += DurationUnits[unit].Suffix.Length;
            nextUnit = unit + 1;

            if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || !TryMultiply(count, DurationUnits[unit].Milliseconds, out var millis)
                || !TryAdd(totalMillis, millis, out totalMillis)
                || totalMillis > (long)TimeSpan.MaxValue.TotalMilliseconds)
            {
                error = TooLarge(text, "duration");
                return false;
            }
        }

        duration = TimeSpan.FromMilliseconds(totalMillis);
        error = null;
        return true;
    }

    /// <summary>Whole cores as a plain number (<c>2</c>), anything else in millicores (<c>500m</c>, <c>1500m</c>).</summary>
    public static string FormatCpu(long millicores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(millicores);
        return millicores % MillicoresPerCore == 0
            ? (millicores / MillicoresPerCore).ToString(CultureInfo.InvariantCulture)
            : millicores.ToString(CultureInfo.InvariantCulture) + "m";
    }

    /// <summary>The largest binary unit that divides exactly (<c>2Gi</c>), else the largest decimal one (<c>1G</c>), else bytes.</summary>
    public static string FormatBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > 0)
        {
            foreach (var (suffix, factor) in BinarySizeUnits.Concat(DecimalSizeUnits))
            {
                if (bytes % factor == 0)
                    return (bytes / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Units from days to milliseconds, zero parts left out (<c>1h30m</c>, <c>0s</c>); below a millisecond is dropped.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var remaining = duration.Ticks / TimeSpan.TicksPerMillisecond;
        if (remaining == 0)
            return "0s";

        var text = new StringBuilder();
        foreach (var (suffix, millis) in DurationUnits)
        {
            var count = remaining / millis;
            if (count == 0)
                continue;
            text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(suffix);
            remaining -= count * millis;
        }

        return text.ToString();
    }

    private static bool TryGetSizeFactor(ReadOnlySpan<char> suffix, out long factor)
    {
        factor = 1;
        if (suffix.IsEmpty)
            return true;
        foreach (var (unit, unitFactor) in BinarySizeUnits.Concat(DecimalSizeUnits))
        {
            if (suffix.SequenceEqual(unit))
            {
                factor = unitFactor;
                return true;
            }
        }

        return false;
    }

    // Index into DurationUnits of the unit at the start of rest, at or after minUnit; "ms" wins over "m".
    private static int FindDurationUnit(ReadOnlySpan<char> rest, int minUnit)
    {
        var best = -1;
        for (var u = minUnit; u < DurationUnits.Length; u++)
        {
            var suffix = DurationUnits[u].Suffix;
            if (rest.StartsWith(suffix, StringComparison.Ordinal)
                && (best < 0 || suffix.Length > DurationUnits[best].Suffix.Length))
                best = u;
        }

        return best;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
            return false;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }

        return true;
    }

    private static bool TryMultiply(long a, long b, out long product)
    {
        product = 0;
        if (a != 0 && b > long.MaxValue / a)
            return false;
        product = a * b;
        return true;
    }

    private static bool TryAdd(long a, long b, out long sum)
    {
        sum = 0;
        if (b > long.MaxValue - a)
            return false;
        sum = a + b;
        return true;
    }

    private static string TooLarge(string? text, string what) => $"{Quote(text)} is too large for a {what}";

    internal static string Quote(string? text) => SpecText.Quote(text);
}
