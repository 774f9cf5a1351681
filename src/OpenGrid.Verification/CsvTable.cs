using System.Text;

namespace OpenGrid.Verification;

/// <summary>
/// Comma-separated text read as RFC 4180: cells may be quoted (<c>"a, b"</c>, <c>""</c> for a quote) and span lines;
/// records end with LF, CRLF or CR; a final line ending adds no record. Every record must have the same number of
/// cells, or the text is not taken for CSV.
/// </summary>
internal sealed record CsvTable(IReadOnlyList<string[]> Rows)
{
    /// <summary>Cells per record.</summary>
    public int Columns => Rows[0].Length;

    /// <summary>The table, or null with the reason the text is not CSV.</summary>
    public static CsvTable? TryParse(string text, out string whyNot)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"' && cell.Length == 0)
            {
                if (!TryReadQuoted(text, ref i, cell, out whyNot, rows.Count + 1))
                {
                    return null;
                }
            }

            var c = i < text.Length ? text[i] : '\n';
            i++;
            if (c is ',' or '\n' or '\r')
            {
                row.Add(cell.ToString());
                cell.Clear();
                if (c != ',')
                {
                    i += c == '\r' && i < text.Length && text[i] == '\n' ? 1 : 0;
                    if (!TryEndRecord(rows, row, out whyNot))
                    {
                        return null;
                    }
                }
            }
            else if (c == '"')
            {
                whyNot = $"record {rows.Count + 1} has a quote inside an unquoted cell";
                return null;
            }
            else
            {
                cell.Append(c);
            }
        }

        if (row.Count > 0 || cell.Length > 0)
        {
            row.Add(cell.ToString());
            if (!TryEndRecord(rows, row, out whyNot))
            {
                return null;
            }
        }

        if (rows.Count == 0)
        {
            whyNot = "it is empty";
            return null;
        }

        whyNot = "";
        return new CsvTable(rows);
    }

    /// <summary>Reads a quoted cell starting at the opening quote; leaves <paramref name="i"/> after the closing one,
    /// which must be followed by a comma, a line ending or the end.</summary>
    private static bool TryReadQuoted(string text, ref int i, StringBuilder cell, out string whyNot, int record)
    {
        for (i++; i < text.Length; i++)
        {
            if (text[i] != '"')
            {
                cell.Append(text[i]);
            }
            else if (i + 1 < text.Length && text[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else
            {
                i++;
                var closedWell = i == text.Length || text[i] is ',' or '\n' or '\r';
                whyNot = closedWell ? "" : $"record {record} has text after a closing quote";
                return closedWell;
            }
        }

        whyNot = $"record {record} has a quote that is never closed";
        return false;
    }

    private static bool TryEndRecord(List<string[]> rows, List<string> row, out string whyNot)
    {
        rows.Add([.. row]);
        row.Clear();
        var columns = rows[0].Length;
        var last = rows[^1].Length;
        whyNot = last == columns ? "" : $"record {rows.Count} has {last} cells, record 1 has {columns}";
        return last == columns;
    }
}
