namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>A data type with its size: <c>float32</c> is 2 registers, <c>string(10)</c> 5.</summary>
public readonly record struct ModbusTagType(ModbusDataType DataType, int StringLength = 0)
{
    /// <summary>The fixed-size type names, in the order messages list them (and "did you mean" prefers on a tie).</summary>
    private static readonly string[] s_names = ["bool", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"];

    /// <summary>Registers the value spans (1 for bool: the register that holds the bit).</summary>
    public int RegisterCount => DataType switch
    {
        ModbusDataType.Bool or ModbusDataType.Int16 or ModbusDataType.UInt16 => 1,
        ModbusDataType.Int32 or ModbusDataType.UInt32 or ModbusDataType.Float32 => 2,
        ModbusDataType.Int64 or ModbusDataType.UInt64 or ModbusDataType.Float64 => 4,
        _ => (StringLength + 1) / 2,
    };

    public bool IsNumeric => DataType is not (ModbusDataType.Bool or ModbusDataType.String);

    public static bool TryParse(string text, out ModbusTagType type, out string error)
    {
        error = string.Empty;
        type = text switch
        {
            "bool" => new(ModbusDataType.Bool),
            "int16" => new(ModbusDataType.Int16),
            "uint16" => new(ModbusDataType.UInt16),
            "int32" => new(ModbusDataType.Int32),
            "uint32" => new(ModbusDataType.UInt32),
            "int64" => new(ModbusDataType.Int64),
            "uint64" => new(ModbusDataType.UInt64),
            "float32" => new(ModbusDataType.Float32),
            "float64" => new(ModbusDataType.Float64),
            _ => default,
        };
        if (text is "bool" or "int16" or "uint16" or "int32" or "uint32" or "int64" or "uint64" or "float32" or "float64")
        {
            return true;
        }

        if (text.StartsWith("string(", StringComparison.Ordinal) && text.EndsWith(')'))
        {
            if (int.TryParse(text.AsSpan(7, text.Length - 8), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int length)
                && length is >= 1 and <= 2 * ModbusLimits.MaxReadRegisters)
            {
                type = new(ModbusDataType.String, length);
                return true;
            }

            error = $"'{text}': the length of a string must be 1..{2 * ModbusLimits.MaxReadRegisters} characters";
            return false;
        }

        // Type names are lower case: FLOAT32 or STRING(4) is suggested as written lower-case, a typo as the nearest name.
        string lower = text.ToLowerInvariant();
        string? suggestion = lower != text && TryParse(lower, out _, out _) ? lower : Configuration.DidYouMean.Suggest(text, s_names);
        error = suggestion is not null
            ? $"'{text}' is not a type (did you mean '{suggestion}'?)"
            : $"'{text}' is not a type ({string.Join(" | ", s_names)} | string(N))";
        return false;
    }

    public override string ToString() =>
        DataType == ModbusDataType.String ? $"string({StringLength})" : DataType.ToString().ToLowerInvariant();
}
