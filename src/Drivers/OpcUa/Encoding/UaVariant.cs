using System.Collections;
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
public readonly struct UaVariant : IEquatable<UaVariant>
{
    public UaVariant(UaBuiltInType type, object? value, int[]? dimensions = null)
    {
        Type = value is null ? UaBuiltInType.Null : type;
        Value = value;
        Dimensions = dimensions;
    }

    public static UaVariant Null => default;

    public UaBuiltInType Type { get; }

    public object? Value { get; }

    /// <summary>The dimensions of a matrix (each ≥ 0, product = array length); null for scalars and plain arrays.</summary>
    public int[]? Dimensions { get; }

    public bool IsNull => Type == UaBuiltInType.Null;

    public bool IsArray => Value is Array && !(Type == UaBuiltInType.ByteString && Value is byte[]);

    public static UaVariant From(bool value) => new(UaBuiltInType.Boolean, value);

    public static UaVariant From(int value) => new(UaBuiltInType.Int32, value);

    public static UaVariant From(uint value) => new(UaBuiltInType.UInt32, value);

    public static UaVariant From(long value) => new(UaBuiltInType.Int64, value);

    public static UaVariant From(double value) => new(UaBuiltInType.Double, value);

    public static UaVariant From(float value) => new(UaBuiltInType.Float, value);

    public static UaVariant From(string value) => new(UaBuiltInType.String, value);

    public bool Equals(UaVariant other) =>
        Type == other.Type
        && StructuralComparisons.StructuralEqualityComparer.Equals(Value, other.Value)
        && StructuralComparisons.StructuralEqualityComparer.Equals(Dimensions, other.Dimensions);

    public override bool Equals(object? obj) => obj is UaVariant other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, Value is Array a ? a.Length : Value?.GetHashCode() ?? 0);

    public static bool operator ==(UaVariant left, UaVariant right) => left.Equals(right);

    public static bool operator !=(UaVariant left, UaVariant right) => !left.Equals(right);

    /// <summary>A short text for technicians (CLI output, log lines); arrays show their first elements.</summary>
    public override string ToString()
    {
        if (Value is null)
        {
            return "null";
        }

        if (IsArray && Value is Array array)
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
}
