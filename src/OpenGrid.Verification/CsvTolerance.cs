using System.Globalization;

namespace OpenGrid.Verification;

/// <summary>
/// Compares two CSV tables: the same number of records and columns; cells that are numbers in both compared within
/// <see cref="NumericTolerance"/>, every other cell exactly. A first record without numbers names the columns.
/// </summary>
internal static class CsvTolerance
{
    /// <summary>The first difference (<c>record 3, column 2 'loss': …</c>), or null when the tables agree.</summary>
    public static string? FirstDifference(CsvTable a, CsvTable b, ComparatorOptions options)
    {
        if (a.Columns != b.Columns)
        {
            return $"{a.Columns} vs {b.Columns} columns";
        }

        if (a.Rows.Count != b.Rows.Count)
        {
            return $"{a.Rows.Count} vs {b.Rows.Count} records";
        }

        var header = a.Rows.Count > 1 && !a.Rows[0].Any(cell => TryNumber(cell, out _)) ? a.Rows[0] : null;
        for (var row = 0; row < a.Rows.Count; row++)
        {
            for (var column = 0; column < a.Columns; column++)
            {
                var (x, y) = (a.Rows[row][column], b.Rows[row][column]);
                if (x == y)
                {
                    continue;
                }

                var where = $"record {row + 1}, column {column + 1}"
                    + (header is null || row == 0 ? "" : $" {DetailText.Quote(header[column])}");
                if (!TryNumber(x, out var xValue) || !TryNumber(y, out var yValue))
                {
                    return $"{where}: {DetailText.Quote(x)} vs {DetailText.Quote(y)}";
                }

                if (!NumericTolerance.Within(xValue, yValue, options))
                {
                    return $"{where}: {NumericTolerance.Describe(x.Trim(), y.Trim(), xValue, yValue, options)}";
                }
            }
        }

        return null;
    }

    /// <summary>Invariant decimal or exponent notation, spaces around allowed; also NaN and Infinity.</summary>
    private static bool TryNumber(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
