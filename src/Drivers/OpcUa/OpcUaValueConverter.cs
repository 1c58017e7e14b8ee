
namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>OPC UA values ↔ gateway values: the DataValue's status becomes the quality (its name the reason), its source timestamp the reading's time.</summary>
internal static class OpcUaValueConverter
{
    public static Reading ToReading(string deviceId, string tagId, UaDataValue value, DateTimeOffset now)
    {
        DateTimeOffset timestamp = Timestamp(value.SourceTimestamp) ?? Timestamp(value.ServerTimestamp) ?? now;
        if (value.StatusCode.IsBad)
        {
            return Reading.Bad(deviceId, tagId, value.StatusCode.Name, timestamp);
        }

        TagValue tagValue = ToTagValue(value.Value);
        return value.StatusCode.IsUncertain
            ? new Reading(deviceId, tagId, tagValue, Quality.Uncertain, value.StatusCode.Name, timestamp)
            : Reading.Good(deviceId, tagId, tagValue, timestamp);
    }

    /// <summary>Numbers and booleans keep their kind; everything else (text, dates, ids, arrays) becomes its text form.</summary>
    public static TagValue ToTagValue(UaVariant variant)
    {
        // The hot path of every data change: inline scalars convert without boxing.
        if (variant.TryGetDouble(out double real))
        {
            return TagValue.FromDouble(real);
        }

        if (variant.TryGetInt64(out long integer))
        {
            return TagValue.FromInt64(integer);
        }

        if (variant.TryGetBoolean(out bool flag))
        {
            return TagValue.FromBoolean(flag);
        }

        if (variant.TryGetUInt64(out ulong unsigned))
        {
            return TagValue.FromUInt64(unsigned);
        }

        if (variant.TryGetStatusCode(out UaStatusCode code))
        {
            return TagValue.FromString(code.Name);
        }

        return ToTagValueSlow(variant);
    }

    private static TagValue ToTagValueSlow(UaVariant variant) => variant.Value switch
    {
        null => TagValue.None,
        _ when variant.IsArray => TagValue.FromString(variant.ToString()),
        bool b => TagValue.FromBoolean(b),
        sbyte v => TagValue.FromInt64(v),
        byte v => TagValue.FromInt64(v),
        short v => TagValue.FromInt64(v),
        ushort v => TagValue.FromInt64(v),
        int v => TagValue.FromInt64(v),
        uint v => TagValue.FromInt64(v),
        long v => TagValue.FromInt64(v),
        ulong v => TagValue.FromUInt64(v),
        float v => TagValue.FromDouble(v),
        double v => TagValue.FromDouble(v),
        string s => TagValue.FromString(s),
        UaStatusCode status => TagValue.FromString(status.Name),
        UaLocalizedText text => TagValue.FromString(text.Text ?? string.Empty),
        _ => TagValue.FromString(variant.ToString()),
    };

    /// <summary>
    /// A gateway value as the variable's own built-in type (learnt by reading it), for Write. Strict: false, with
    /// <paramref name="problem"/>, for a value the type cannot hold exactly — text for a number, 70000 for a UInt16,
    /// 2.5 for an Int32, 5 or text for a Boolean, a number for a String, NaN or infinity —, never a converted look-alike.
    /// </summary>
    public static bool TryToVariant(TagValue value, UaBuiltInType type, out UaVariant variant, out string problem)
    {
        variant = default;
        problem = string.Empty;
        bool number = value.IsNumeric && value.Kind != TagValueKind.Boolean && double.IsFinite(value.AsDouble());
        object? converted;
        switch (type)
        {
            case UaBuiltInType.Boolean:
                converted = value.Kind == TagValueKind.Boolean ? value.AsBoolean()
                    : number && value.AsDouble() is 0 or 1 ? value.AsDouble() == 1
                    : null;
                break;
            case UaBuiltInType.SByte or UaBuiltInType.Byte or UaBuiltInType.Int16 or UaBuiltInType.UInt16
                or UaBuiltInType.Int32 or UaBuiltInType.UInt32 or UaBuiltInType.Int64 or UaBuiltInType.UInt64:
                if (!TryGetWhole(value, out Int128 whole))
                {
                    problem = $"a {type} variable takes a whole number, not {TagValueText.Describe(value)}";
                    return false;
                }

                try
                {
                    converted = type switch
                    {
                        UaBuiltInType.SByte => checked((sbyte)whole),
                        UaBuiltInType.Byte => checked((byte)whole),
                        UaBuiltInType.Int16 => checked((short)whole),
                        UaBuiltInType.UInt16 => checked((ushort)whole),
                        UaBuiltInType.Int32 => checked((int)whole),
                        UaBuiltInType.UInt32 => checked((uint)whole),
                        UaBuiltInType.Int64 => checked((long)whole),
                        _ => (object)checked((ulong)whole),
                    };
                }
                catch (OverflowException)
                {
                    problem = $"{TagValueText.Describe(value)} does not fit a {type} variable";
                    return false;
                }

                break;
            case UaBuiltInType.Float:
                converted = number && Math.Abs(value.AsDouble()) <= float.MaxValue ? (float)value.AsDouble() : null;
                break;
            case UaBuiltInType.Double:
                converted = number ? value.AsDouble() : null;
                break;
            case UaBuiltInType.String:
                converted = value.AsString();
                break;
            default:
                problem = $"the gateway does not write {type} variables";
                return false;
        }

        if (converted is null)
        {
            problem = $"a {type} variable cannot take {TagValueText.Describe(value)}";
            return false;
        }

        variant = new UaVariant(type, converted);
        return true;
    }

    /// <summary>An integer, or a finite floating-point value without a fraction (below 2^64: enough for every integer type).</summary>
    private static bool TryGetWhole(TagValue value, out Int128 whole)
    {
        whole = 0;
        switch (value.Kind)
        {
            case TagValueKind.Int64:
                whole = value.AsInt64();
                return true;
            case TagValueKind.UInt64:
                whole = value.AsUInt64();
                return true;
            case TagValueKind.Boolean or TagValueKind.String or TagValueKind.None:
                return false;
            default:
                double real = value.AsDouble();
                if (!double.IsFinite(real) || Math.Floor(real) != real || Math.Abs(real) >= 18446744073709551616.0)
                {
                    return false;
                }

                whole = (Int128)real;
                return true;
        }
    }

    private static DateTimeOffset? Timestamp(DateTime? value) =>
        value is { } ts && ts != DateTime.MinValue && ts != DateTime.MaxValue ? new DateTimeOffset(DateTime.SpecifyKind(ts, DateTimeKind.Utc)) : null;
}
