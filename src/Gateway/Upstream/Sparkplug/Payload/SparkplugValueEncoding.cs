using System.Globalization;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>
/// Tag values to and from the value field of a metric, by datatype (§6.4.16 and §6.4.17, with the field choices every
/// peer in the field agrees on; ../shared/docs/sparkplug-notes.md §8):
/// <list type="bullet">
/// <item>Int8, Int16, Int32 in <c>int_value</c>, sign-extended to 32 bits (Int8 −1 is 0xFFFFFFFF): Tahu's decoders read
/// the field as a signed 32-bit number, so 0xFF would show as 255. Read back from the low 8/16/32 bits.</item>
/// <item>UInt8, UInt16 in <c>int_value</c>; UInt32 in <c>long_value</c> (Tahu, its JavaScript codec, Ignition and the
/// TCK; the JavaScript decoder returns null for a UInt32 in <c>int_value</c>). Both fields are accepted when reading.</item>
/// <item>Int64, UInt64 and DateTime (ms since the epoch, UTC) in <c>long_value</c>, two's complement.</item>
/// <item>Float, Double, Boolean and String in their own fields.</item>
/// </list>
/// A value that does not fit the tag's configured type (300 for an Int8, −1 for a UInt16, 2.5 for an Int32, text for a
/// Double) is not encoded: the caller sends the metric as null with BAD quality rather than a wrapped or rounded
/// number.
/// </summary>
internal static class SparkplugValueEncoding
{
    public static bool TryEncode(SparkplugDataType type, TagValue value, out SparkplugWireValue wire)
    {
        wire = default;
        switch (type)
        {
            case SparkplugDataType.Int8:
                return TryEncodeSigned32(value, sbyte.MinValue, sbyte.MaxValue, out wire);
            case SparkplugDataType.Int16:
                return TryEncodeSigned32(value, short.MinValue, short.MaxValue, out wire);
            case SparkplugDataType.Int32:
                return TryEncodeSigned32(value, int.MinValue, int.MaxValue, out wire);
            case SparkplugDataType.UInt8:
                return TryEncodeUnsigned(value, byte.MaxValue, SparkplugValueField.Int, out wire);
            case SparkplugDataType.UInt16:
                return TryEncodeUnsigned(value, ushort.MaxValue, SparkplugValueField.Int, out wire);
            case SparkplugDataType.UInt32:
                return TryEncodeUnsigned(value, uint.MaxValue, SparkplugValueField.Long, out wire);
            case SparkplugDataType.UInt64:
                return TryEncodeUnsigned(value, ulong.MaxValue, SparkplugValueField.Long, out wire);
            case SparkplugDataType.Int64:
                if (TryGetInt64(value, out long signed))
                {
                    wire = SparkplugWireValue.Long(unchecked((ulong)signed));
                    return true;
                }

                return false;
            case SparkplugDataType.DateTime:
                return TryEncodeDateTime(value, out wire);
            case SparkplugDataType.Float:
                if (value.IsNumeric)
                {
                    wire = SparkplugWireValue.Float((float)value.AsDouble());
                    return true;
                }

                return false;
            case SparkplugDataType.Double:
                if (value.IsNumeric)
                {
                    wire = SparkplugWireValue.Double(value.AsDouble());
                    return true;
                }

                return false;
            case SparkplugDataType.Boolean:
                if (value.IsNumeric)
                {
                    wire = SparkplugWireValue.Boolean(value.AsBoolean());
                    return true;
                }

                return false;
            case SparkplugDataType.String or SparkplugDataType.Text:
                if (!value.IsNone)
                {
                    wire = SparkplugWireValue.String(value.ToString());
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// A received value as a tag value, by the metric's datatype. False for a datatype we do not take (arrays, DataSet,
    /// Template, bytes) or a value field that does not go with the datatype.
    /// </summary>
    public static bool TryDecode(SparkplugDataType type, in SparkplugWireValue wire, out TagValue value)
    {
        value = TagValue.None;
        bool integer = wire.Field is SparkplugValueField.Int or SparkplugValueField.Long;
        switch (type)
        {
            case SparkplugDataType.Int8 when integer:
                value = TagValue.FromInt64(unchecked((sbyte)wire.Bits));
                return true;
            case SparkplugDataType.Int16 when integer:
                value = TagValue.FromInt64(unchecked((short)wire.Bits));
                return true;
            case SparkplugDataType.Int32 when integer:
                value = TagValue.FromInt64(unchecked((int)wire.Bits));
                return true;
            case SparkplugDataType.UInt8 when integer:
                value = TagValue.FromInt64(unchecked((byte)wire.Bits));
                return true;
            case SparkplugDataType.UInt16 when integer:
                value = TagValue.FromInt64(unchecked((ushort)wire.Bits));
                return true;
            case SparkplugDataType.UInt32 when integer:
                value = TagValue.FromInt64(unchecked((uint)wire.Bits));
                return true;
            case SparkplugDataType.Int64 or SparkplugDataType.DateTime when integer:
                value = TagValue.FromInt64(unchecked((long)wire.Bits));
                return true;
            case SparkplugDataType.UInt64 when integer:
                value = TagValue.FromUInt64(wire.Bits);
                return true;
            case SparkplugDataType.Float or SparkplugDataType.Double when wire.Field is SparkplugValueField.Float or SparkplugValueField.Double:
                value = TagValue.FromDouble(wire.Real);
                return true;
            case SparkplugDataType.Boolean when wire.Field == SparkplugValueField.Boolean:
                value = TagValue.FromBoolean(wire.Bits != 0);
                return true;
            case SparkplugDataType.String or SparkplugDataType.Text or SparkplugDataType.Uuid when wire.Field == SparkplugValueField.String:
                value = TagValue.FromString(wire.Text ?? string.Empty);
                return true;
            default:
                return false;
        }
    }

    private static bool TryEncodeSigned32(TagValue value, long min, long max, out SparkplugWireValue wire)
    {
        wire = default;
        if (!TryGetInt64(value, out long number) || number < min || number > max)
        {
            return false;
        }

        // Sign extension to 32 bits: (uint)(int)-1 = 0xFFFFFFFF.
        wire = SparkplugWireValue.Int(unchecked((uint)(int)number));
        return true;
    }

    private static bool TryEncodeUnsigned(TagValue value, ulong max, SparkplugValueField field, out SparkplugWireValue wire)
    {
        wire = default;
        if (!TryGetUInt64(value, out ulong number) || number > max)
        {
            return false;
        }

        wire = field == SparkplugValueField.Int ? SparkplugWireValue.Int((uint)number) : SparkplugWireValue.Long(number);
        return true;
    }

    private static bool TryEncodeDateTime(TagValue value, out SparkplugWireValue wire)
    {
        wire = default;
        long milliseconds;
        if (value.Kind == TagValueKind.String)
        {
            if (!DateTimeOffset.TryParse(value.AsString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed))
            {
                return false;
            }

            milliseconds = parsed.ToUnixTimeMilliseconds();
        }
        else if (!TryGetInt64(value, out milliseconds) || value.Kind == TagValueKind.Boolean)
        {
            return false;
        }

        if (milliseconds < 0)
        {
            return false; // before 1970: not a uint64 millisecond count
        }

        wire = SparkplugWireValue.Long((ulong)milliseconds);
        return true;
    }

    private static bool TryGetInt64(TagValue value, out long number)
    {
        number = 0;
        switch (value.Kind)
        {
            case TagValueKind.Boolean or TagValueKind.Int64:
                number = value.AsInt64();
                return true;
            case TagValueKind.UInt64:
                ulong unsigned = value.AsUInt64();
                number = unchecked((long)unsigned);
                return unsigned <= long.MaxValue;
            case TagValueKind.Double:
                double real = value.AsDouble();
                // Only whole numbers inside the range: 2.5 is no Int32, and (long)1e30 would be a made-up value.
                if (double.IsInteger(real) && real >= -9.2233720368547758E18 && real < 9.2233720368547758E18)
                {
                    number = (long)real;
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    private static bool TryGetUInt64(TagValue value, out ulong number)
    {
        number = 0;
        switch (value.Kind)
        {
            case TagValueKind.UInt64:
                number = value.AsUInt64();
                return true;
            case TagValueKind.Double:
                double real = value.AsDouble();
                if (double.IsInteger(real) && real >= 0 && real < 1.8446744073709552E19)
                {
                    number = (ulong)real;
                    return true;
                }

                return false;
            default:
                if (TryGetInt64(value, out long signed) && signed >= 0)
                {
                    number = (ulong)signed;
                    return true;
                }

                return false;
        }
    }
}
