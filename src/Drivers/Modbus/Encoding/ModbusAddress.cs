using System.Globalization;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// A tag's place in the device: <c>holding:100</c>, <c>input:7</c>, <c>coil:0</c>, <c>discrete:12</c>, or a bit of a
/// register, <c>holding:100.3</c> (bit 0 = least significant). Offsets are 0-based, exactly what goes on the wire
/// (modbus-notes §6: 1-based "40001" numbering is the usual off-by-one, so it is not accepted).
/// </summary>
public readonly record struct ModbusAddress(ModbusTable Table, ushort Offset, int Bit = -1)
{
    private static readonly Dictionary<string, ModbusTable> s_tables = new(StringComparer.Ordinal)
    {
        ["holding"] = ModbusTable.HoldingRegister,
        ["input"] = ModbusTable.InputRegister,
        ["coil"] = ModbusTable.Coil,
        ["discrete"] = ModbusTable.DiscreteInput,
    };

    public bool HasBit => Bit >= 0;

    public static IEnumerable<string> TableNames => s_tables.Keys;

    /// <summary>Parses the YAML form. False with a technician-readable <paramref name="error"/> otherwise.</summary>
    public static bool TryParse(string text, out ModbusAddress address, out string error)
    {
        address = default;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = $"'{text}' is not an address: write TABLE:OFFSET with TABLE one of holding | input | coil | discrete, e.g. holding:100 or holding:100.3 for bit 3";
            return false;
        }

        string tableText = text[..colon].Trim();
        if (!s_tables.TryGetValue(tableText, out ModbusTable table))
        {
            error = $"'{tableText}' is not a table (holding | input | coil | discrete){DidYouMeanTable(tableText)}";
            return false;
        }

        string rest = text[(colon + 1)..].Trim();
        int bit = -1;
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            if (!int.TryParse(rest.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out bit) || bit > 15)
            {
                error = $"'{rest[(dot + 1)..]}' is not a bit number (0..15, 0 = least significant)";
                return false;
            }

            if (ModbusTableInfo.IsBitTable(table))
            {
                error = $"{tableText} holds single bits already; a .bit suffix only applies to holding or input registers";
                return false;
            }

            rest = rest[..dot];
        }

        if (!int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out int offset) || offset > ushort.MaxValue)
        {
            error = $"'{rest}' is not an offset (0..65535, 0-based as sent on the wire)";
            return false;
        }

        address = new ModbusAddress(table, (ushort)offset, bit);
        error = string.Empty;
        return true;
    }

    public override string ToString() =>
        ModbusTableInfo.Name(Table) + ":" + Offset.ToString(CultureInfo.InvariantCulture) + (HasBit ? "." + Bit.ToString(CultureInfo.InvariantCulture) : string.Empty);

    private static string DidYouMeanTable(string text) =>
        text.StartsWith("hold", StringComparison.OrdinalIgnoreCase) ? "; did you mean 'holding'?"
        : text.StartsWith("in", StringComparison.OrdinalIgnoreCase) ? "; did you mean 'input'?"
        : text.StartsWith("co", StringComparison.OrdinalIgnoreCase) ? "; did you mean 'coil'?"
        : text.StartsWith("dis", StringComparison.OrdinalIgnoreCase) ? "; did you mean 'discrete'?"
        : string.Empty;
}
