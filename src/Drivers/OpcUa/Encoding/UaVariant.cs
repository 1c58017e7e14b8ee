using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A value of any built-in type, a one-dimensional array of them, or a matrix (OPC 10000-6 §5.2.2.16).
/// Scalars are held as their CLR type (<see cref="bool"/>, <see cref="sbyte"/> … <see cref="double"/>,
/// <see cref="string"/>, <see cref="DateTime"/> (UTC), <see cref="Guid"/>, <c>byte[]</c> for ByteString,
/// <see cref="UaXmlElement"/>, <see cref="UaNodeId"/>, …); arrays as a CLR array of that type; a matrix as the
/// flattened array (first dimension slowest, as on the wire) plus <see cref="Dimensions"/>.
/// </summary>
/// <remarks>
/// Boolean, the integer and floating-point types and StatusCode are stored inline in an 8-byte slot, not boxed:
/// a data change of a number decodes without allocating. <see cref="Value"/> boxes them on each read, for callers
/// off the hot path; hot-path callers use <see cref="TryGetBoolean"/>, <see cref="TryGetInt64"/>,
/// <see cref="TryGetUInt64"/>, <see cref="TryGetDouble"/> and <see cref="TryGetStatusCode"/>.
/// </remarks>
public readonly struct UaVariant : IEquatable<UaVariant>
{
    // Reference values, arrays and matrices, value types that are not stored inline (DateTime, Guid, …), and a
    // number whose CLR type does not match Type (kept as given so Value returns it unchanged). Null when inline.
    private readonly object? _object;

    // The inline scalar when _object is null and Type is not Null: booleans 0/1, signed integers sign-extended,
    // unsigned zero-extended, Float as its 32 bits, Double as its 64 bits, StatusCode as its code.
    private readonly long _bits;

    public UaVariant(UaBuiltInType type, object? value, int[]? dimensions = null)
    {
        if (dimensions is null && TryGetInlineBits(type, value, out long bits))
        {
            Type = type;
            _bits = bits;
            return;
        }

        Type = value is null ? UaBuiltInType.Null : type;
        _object = value;
        Dimensions = dimensions;
    }

    private UaVariant(UaBuiltInType type, long bits)
    {
        Debug.Assert(IsInlineType(type), "only inline types are built from bits");
        Type = type;
        _bits = bits;
    }

    public static UaVariant Null => default;

    public UaBuiltInType Type { get; }

    /// <summary>The value as an object; an inline number is boxed on every read (see the remarks).</summary>
    public object? Value => _object ?? (Type == UaBuiltInType.Null ? null : BoxInline());

    /// <summary>The dimensions of a matrix (each ≥ 0, product = array length); null for scalars and plain arrays.</summary>
    public int[]? Dimensions { get; }

    public bool IsNull => Type == UaBuiltInType.Null;

    public bool IsArray => _object is Array && !(Type == UaBuiltInType.ByteString && _object is byte[]);

    private bool IsInline => _object is null && Type != UaBuiltInType.Null;

    public static UaVariant From(bool value) => new(UaBuiltInType.Boolean, value ? 1 : 0);

    public static UaVariant From(int value) => new(UaBuiltInType.Int32, value);

    public static UaVariant From(uint value) => new(UaBuiltInType.UInt32, value);

    public static UaVariant From(long value) => new(UaBuiltInType.Int64, value);

    public static UaVariant From(double value) => new(UaBuiltInType.Double, BitConverter.DoubleToInt64Bits(value));

    public static UaVariant From(float value) => new(UaBuiltInType.Float, BitConverter.SingleToInt32Bits(value));

    public static UaVariant From(string value) => new(UaBuiltInType.String, (object?)value);

    /// <summary>A scalar of an inline type from its inline bits (see <see cref="_bits"/>); for the decoder.</summary>
    internal static UaVariant FromInlineBits(UaBuiltInType type, long bits) => new(type, bits);

    /// <summary>A Boolean scalar.</summary>
    public bool TryGetBoolean(out bool value)
    {
        value = _bits != 0;
        return IsInline && Type == UaBuiltInType.Boolean;
    }

    /// <summary>A scalar of SByte, Byte, Int16, UInt16, Int32, UInt32 or Int64, widened.</summary>
    public bool TryGetInt64(out long value)
    {
        value = _bits;
        return IsInline && Type is UaBuiltInType.SByte or UaBuiltInType.Byte or UaBuiltInType.Int16 or UaBuiltInType.UInt16
            or UaBuiltInType.Int32 or UaBuiltInType.UInt32 or UaBuiltInType.Int64;
    }

    /// <summary>A UInt64 scalar.</summary>
    public bool TryGetUInt64(out ulong value)
    {
        value = unchecked((ulong)_bits);
        return IsInline && Type == UaBuiltInType.UInt64;
    }

    /// <summary>A Float or Double scalar, widened.</summary>
    public bool TryGetDouble(out double value)
    {
        value = Type == UaBuiltInType.Float ? BitConverter.Int32BitsToSingle((int)_bits) : BitConverter.Int64BitsToDouble(_bits);
        return IsInline && Type is UaBuiltInType.Float or UaBuiltInType.Double;
    }

    /// <summary>A StatusCode scalar.</summary>
    public bool TryGetStatusCode(out UaStatusCode value)
    {
        value = new UaStatusCode(unchecked((uint)_bits));
        return IsInline && Type == UaBuiltInType.StatusCode;
    }

    public bool Equals(UaVariant other)
    {
        if (Type != other.Type || IsInline != other.IsInline)
        {
            return false;
        }

        if (IsInline)
        {
            // As the boxed values compare: float/double Equals treats NaN as equal to NaN and 0.0 as equal to -0.0.
            return Type switch
            {
                UaBuiltInType.Float => BitConverter.Int32BitsToSingle((int)_bits).Equals(BitConverter.Int32BitsToSingle((int)other._bits)),
                UaBuiltInType.Double => BitConverter.Int64BitsToDouble(_bits).Equals(BitConverter.Int64BitsToDouble(other._bits)),
                _ => _bits == other._bits,
            };
        }

        return StructuralComparisons.StructuralEqualityComparer.Equals(_object, other._object)
            && StructuralComparisons.StructuralEqualityComparer.Equals(Dimensions, other.Dimensions);
    }

    public override bool Equals(object? obj) => obj is UaVariant other && Equals(other);

    public override int GetHashCode()
    {
        if (IsInline)
        {
            return Type switch
            {
                UaBuiltInType.Float => HashCode.Combine(Type, BitConverter.Int32BitsToSingle((int)_bits)),
                UaBuiltInType.Double => HashCode.Combine(Type, BitConverter.Int64BitsToDouble(_bits)),
                _ => HashCode.Combine(Type, _bits),
            };
        }

        return HashCode.Combine(Type, _object is Array a ? a.Length : _object?.GetHashCode() ?? 0);
    }

    public static bool operator ==(UaVariant left, UaVariant right) => left.Equals(right);

    public static bool operator !=(UaVariant left, UaVariant right) => !left.Equals(right);

    /// <summary>A short text for technicians (CLI output, log lines); arrays show their first elements.</summary>
    public override string ToString()
    {
        if (Value is null)
        {
            return "null";
        }

        if (IsArray && _object is Array array)
        {
            var text = new StringBuilder();
            if (Dimensions is { } dims)
            {
                text.Append("matrix[").Append(string.Join('x', dims)).Append("] ");
            }

            text.Append('[');
            int shown = Math.Min(array.Length, 10);
            for (int i = 0; i < shown; i++)
            {
                text.Append(i == 0 ? string.Empty : ", ").Append(FormatScalar(array.GetValue(i)));
            }

            return text.Append(array.Length > shown ? ", …]" : "]").ToString();
        }

        return FormatScalar(Value);
    }

    private static string FormatScalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        byte[] bytes => "0x" + Convert.ToHexString(bytes),
        DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static bool IsInlineType(UaBuiltInType type) =>
        type is >= UaBuiltInType.Boolean and <= UaBuiltInType.Double or UaBuiltInType.StatusCode;

    private static bool TryGetInlineBits(UaBuiltInType type, object? value, out long bits)
    {
        switch (type, value)
        {
            case (UaBuiltInType.Boolean, bool v): bits = v ? 1 : 0; return true;
            case (UaBuiltInType.SByte, sbyte v): bits = v; return true;
            case (UaBuiltInType.Byte, byte v): bits = v; return true;
            case (UaBuiltInType.Int16, short v): bits = v; return true;
            case (UaBuiltInType.UInt16, ushort v): bits = v; return true;
            case (UaBuiltInType.Int32, int v): bits = v; return true;
            case (UaBuiltInType.UInt32, uint v): bits = v; return true;
            case (UaBuiltInType.Int64, long v): bits = v; return true;
            case (UaBuiltInType.UInt64, ulong v): bits = unchecked((long)v); return true;
            case (UaBuiltInType.Float, float v): bits = BitConverter.SingleToInt32Bits(v); return true;
            case (UaBuiltInType.Double, double v): bits = BitConverter.DoubleToInt64Bits(v); return true;
            case (UaBuiltInType.StatusCode, UaStatusCode v): bits = v.Code; return true;
            default: bits = 0; return false;
        }
    }

    private object BoxInline() => Type switch
    {
        UaBuiltInType.Boolean => _bits != 0,
        UaBuiltInType.SByte => (sbyte)_bits,
        UaBuiltInType.Byte => (byte)_bits,
        UaBuiltInType.Int16 => (short)_bits,
        UaBuiltInType.UInt16 => (ushort)_bits,
        UaBuiltInType.Int32 => (int)_bits,
        UaBuiltInType.UInt32 => (uint)_bits,
        UaBuiltInType.Int64 => _bits,
        UaBuiltInType.UInt64 => unchecked((ulong)_bits),
        UaBuiltInType.Float => BitConverter.Int32BitsToSingle((int)_bits),
        UaBuiltInType.Double => BitConverter.Int64BitsToDouble(_bits),
        UaBuiltInType.StatusCode => new UaStatusCode(unchecked((uint)_bits)),
        _ => throw new UnreachableException($"{Type} is not stored inline"),
    };
}
