using System.Text;
using OpenGrid.Core.Specs;

namespace OpenGrid.Verification;

/// <summary>
/// Numeric outputs agree within a tolerance (see <see cref="ComparatorOptions.RelativeEpsilon"/>). The format is
/// decided by content: JSON when the bytes parse as one JSON value (Python's bare NaN/Infinity accepted), else CSV
/// when they are UTF-8 text whose records all have the same number of cells, else (binary, ragged text) exact bytes,
/// and the detail says so. Both replicas must be of the same format.
/// </summary>
public sealed class ToleranceComparator : IOutputComparator
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The one instance (the comparator has no state).</summary>
    public static ToleranceComparator Instance { get; } = new();

    private ToleranceComparator()
    {
    }

    /// <inheritdoc/>
    public CompareMode Kind => CompareMode.Tolerance;

    /// <inheritdoc/>
    public Comparison Compare(string path, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ComparatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (a.SequenceEqual(b))
        {
            return Comparison.Agreed(path, $"identical ({a.Length} bytes)");
        }

        using (var jsonA = JsonContent.TryParse(a))
        using (var jsonB = JsonContent.TryParse(b))
        {
            if (jsonA is not null && jsonB is not null)
            {
                return new JsonTolerance(jsonA, jsonB, options).FirstDifference() is { } difference
                    ? Comparison.Differs(path, difference)
                    : Comparison.Agreed(path, "JSON agrees within tolerance");
            }

            if (jsonA is not null || jsonB is not null)
            {
                return Comparison.Differs(path, jsonA is not null ? "a is JSON, b is not" : "b is JSON, a is not");
            }
        }

        var csvA = TryCsv(a, out var whyNotA);
        var csvB = TryCsv(b, out var whyNotB);
        return (csvA, csvB) switch
        {
            ({ } x, { } y) => CsvTolerance.FirstDifference(x, y, options) is { } difference
                ? Comparison.Differs(path, difference)
                : Comparison.Agreed(path, $"CSV agrees within tolerance ({x.Rows.Count} records, {x.Columns} columns)"),
            ({ }, null) => Comparison.Differs(path, $"a is CSV, b is not ({whyNotB})"),
            (null, { }) => Comparison.Differs(path, $"b is CSV, a is not ({whyNotA})"),
            _ => Comparison.Differs(path,
                $"neither JSON nor CSV (a: {whyNotA}; b: {whyNotB}), compared exactly: {ExactComparator.FirstDifference(a, b)}"),
        };
    }

    private static CsvTable? TryCsv(ReadOnlySpan<byte> bytes, out string whyNot)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            whyNot = "not UTF-8 text";
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            whyNot = "binary (contains NUL)";
            return null;
        }

        return CsvTable.TryParse(text, out whyNot);
    }
}
