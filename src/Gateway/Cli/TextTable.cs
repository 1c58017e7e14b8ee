using System.Text;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>Left-aligned columns sized to their widest cell, two spaces apart, for technician tools' output.</summary>
internal sealed class TextTable
{
    private readonly List<string[]> _rows = [];
    private readonly int _columns;

    public TextTable(params string[] header)
    {
        _columns = header.Length;
        _rows.Add(header);
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _columns)
        {
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {_columns} columns", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void Write(TextWriter writer, string indent)
    {
        int[] widths = new int[_columns];
        foreach (string[] row in _rows)
        {
            for (int c = 0; c < _columns; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var line = new StringBuilder();
        foreach (string[] row in _rows)
        {
            line.Clear().Append(indent);
            for (int c = 0; c < _columns; c++)
            {
                line.Append(row[c]);
                if (c < _columns - 1)
                {
                    line.Append(' ', widths[c] - row[c].Length + 2);
                }
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }
}
