namespace OpenGrid.Cli.Output;

/// <summary>
/// Plain aligned columns (like <c>docker ps</c>): readable in a terminal and easy to cut, grep and awk in a pipe.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(TextWriter writer, string indent = "")
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in _rows)
            for (var i = 0; i < widths.Length && i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        WriteRow(writer, indent, headers, widths);
        foreach (var row in _rows)
            WriteRow(writer, indent, row, widths);
    }

    private static void WriteRow(TextWriter writer, string indent, string[] cells, int[] widths)
    {
        var parts = cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i]));
        writer.WriteLine(indent + string.Join("  ", parts).TrimEnd());
    }
}
