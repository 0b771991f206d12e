namespace MultiRaft.Cli;

/// <summary>
/// A plain-text table: a header row and rows, columns left-aligned and padded to their widest
/// cell, two spaces apart, no trailing spaces.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public TextTable AddRow(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"A row needs {headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
        return this;
    }

    public void WriteTo(TextWriter writer)
    {
        var widths = new int[headers.Length];
        foreach (var row in _rows)
        {
            for (var c = 0; c < row.Length; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var line = new System.Text.StringBuilder();
        foreach (var row in _rows)
        {
            line.Clear();
            for (var c = 0; c < row.Length; c++)
            {
                if (c > 0)
                {
                    line.Append("  ");
                }

                line.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c]));
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }

    public override string ToString()
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        WriteTo(writer);
        return writer.ToString();
    }
}
