
namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>OPC UA values ↔ gateway values: the DataValue's status becomes the quality (its name the reason), its source timestamp the reading's time.</summary>
internal static class OpcUaValueConverter
{
    public static TagReading ToReading(int tagIndex, UaDataValue value, DateTimeOffset now)
    {
        DateTimeOffset timestamp = Timestamp(value.SourceTimestamp) ?? Timestamp(value.ServerTimestamp) ?? now;
        if (value.StatusCode.IsBad)
        {
            return TagReading.Bad(tagIndex, value.StatusCode.Name, timestamp);
        }

        TagValue tagValue = ToTagValue(value.Value);
        return value.StatusCode.IsUncertain
            ? new TagReading(tagIndex, tagValue, Quality.Uncertain, value.StatusCode.Name, timestamp)
            : TagReading.Good(tagIndex, tagValue, timestamp);
    }

    /// <summary>Numbers and booleans keep their kind (a Float stays a float32); everything else (text, dates, ids, arrays) becomes its text form.</summary>
    public static TagValue ToTagValue(UaVariant variant)
    {
        // The hot path of every data change: inline scalars convert without boxing.
        if (variant.Type == UaBuiltInType.Float && variant.TryGetDouble(out double single))
        {
            return TagValue.FromSingle((float)single);
        }

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
        float v => TagValue.FromSingle(v),
        double v => TagValue.FromDouble(v),
        string s => TagValue.FromString(s),
        UaStatusCode status => TagValue.FromString(status.Name),
        UaLocalizedText text => TagValue.FromString(text.Text ?? string.Empty),
        _ => TagValue.FromString(variant.ToString()),
    };

    /// <summary>A gateway value as the variable's own built-in type (learnt by reading it), for Write.</summary>
    public static bool TryToVariant(TagValue value, UaBuiltInType type, out UaVariant variant)
    {
        variant = default;
        try
        {
            object? converted = type switch
            {
                UaBuiltInType.Boolean => value.AsBoolean(),
                UaBuiltInType.SByte => checked((sbyte)value.AsInt64()),
                UaBuiltInType.Byte => checked((byte)value.AsInt64()),
                UaBuiltInType.Int16 => checked((short)value.AsInt64()),
                UaBuiltInType.UInt16 => checked((ushort)value.AsInt64()),
                UaBuiltInType.Int32 => checked((int)value.AsInt64()),
                UaBuiltInType.UInt32 => checked((uint)value.AsInt64()),
                UaBuiltInType.Int64 => value.AsInt64(),
                UaBuiltInType.UInt64 => value.Kind == TagValueKind.UInt64 ? value.AsUInt64() : checked((ulong)value.AsInt64()),
                UaBuiltInType.Float => (float)value.AsDouble(),
                UaBuiltInType.Double => value.AsDouble(),
                UaBuiltInType.String => value.ToString(),
                _ => null,
            };
            if (converted is null || (converted is double d && double.IsNaN(d) && value.Kind != TagValueKind.Double))
            {
                return false;
            }

            variant = new UaVariant(type, converted);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static DateTimeOffset? Timestamp(DateTime? value) =>
        value is { } ts && ts != DateTime.MinValue && ts != DateTime.MaxValue ? new DateTimeOffset(DateTime.SpecifyKind(ts, DateTimeKind.Utc)) : null;
}
