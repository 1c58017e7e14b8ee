using System.Globalization;

namespace SmartCity.Edge.Drivers;

/// <summary>
/// A decoded tag value without boxing: numbers and booleans live in one 8-byte slot, strings in a reference.
/// Drivers decode wire data into this; the gateway compares, filters and serialises it. A float32 keeps its kind
/// (<see cref="FromSingle"/>) so that it is stored in 4 bytes and written upstream at its own precision.
/// </summary>
public readonly struct TagValue : IEquatable<TagValue>
{
    private readonly long _bits;
    private readonly string? _text;

    private TagValue(TagValueKind kind, long bits, string? text)
    {
        Kind = kind;
        _bits = bits;
        _text = text;
    }

    public TagValueKind Kind { get; }

    public static TagValue None => default;

    public static TagValue FromBoolean(bool value) => new(TagValueKind.Boolean, value ? 1 : 0, null);

    public static TagValue FromInt64(long value) => new(TagValueKind.Int64, value, null);

    public static TagValue FromUInt64(ulong value) => new(TagValueKind.UInt64, unchecked((long)value), null);

    public static TagValue FromDouble(double value) => new(TagValueKind.Double, BitConverter.DoubleToInt64Bits(value), null);

    public static TagValue FromSingle(float value) => new(TagValueKind.Float32, BitConverter.SingleToInt32Bits(value), null);

    public static TagValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(TagValueKind.String, 0, value);
    }

    public bool IsNone => Kind == TagValueKind.None;

    public bool AsBoolean() => Kind switch
    {
        TagValueKind.Boolean or TagValueKind.Int64 or TagValueKind.UInt64 => _bits != 0,
        TagValueKind.Double or TagValueKind.Float32 => AsDouble() != 0,
        _ => false,
    };

    public long AsInt64() => Kind switch
    {
        TagValueKind.Boolean or TagValueKind.Int64 => _bits,
        TagValueKind.UInt64 => unchecked((long)(ulong)_bits),
        TagValueKind.Double or TagValueKind.Float32 => (long)AsDouble(),
        _ => 0,
    };

    public ulong AsUInt64() => unchecked((ulong)_bits);

    public string? AsString() => _text;

    /// <summary>The value as a number for thresholds and deadbands; booleans are 0/1, strings and none are NaN.</summary>
    public double AsDouble() => Kind switch
    {
        TagValueKind.Boolean or TagValueKind.Int64 => _bits,
        TagValueKind.UInt64 => (ulong)_bits,
        TagValueKind.Double => BitConverter.Int64BitsToDouble(_bits),
        TagValueKind.Float32 => AsSingle(),
        _ => double.NaN,
    };

    /// <summary>A <see cref="TagValueKind.Float32"/> value as the float it is; other numbers narrowed, strings and none NaN.</summary>
    public float AsSingle() => Kind == TagValueKind.Float32 ? BitConverter.Int32BitsToSingle(unchecked((int)_bits)) : (float)AsDouble();

    public bool IsNumeric => Kind is TagValueKind.Boolean or TagValueKind.Int64 or TagValueKind.UInt64 or TagValueKind.Double or TagValueKind.Float32;

    public bool Equals(TagValue other) =>
        Kind == other.Kind && _bits == other._bits && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is TagValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, _bits, _text);

    public static bool operator ==(TagValue left, TagValue right) => left.Equals(right);

    public static bool operator !=(TagValue left, TagValue right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        TagValueKind.None => "none",
        TagValueKind.Boolean => _bits != 0 ? "true" : "false",
        TagValueKind.Int64 => _bits.ToString(CultureInfo.InvariantCulture),
        TagValueKind.UInt64 => ((ulong)_bits).ToString(CultureInfo.InvariantCulture),
        TagValueKind.Double => AsDouble().ToString("R", CultureInfo.InvariantCulture),
        TagValueKind.Float32 => AsSingle().ToString("R", CultureInfo.InvariantCulture),
        TagValueKind.String => _text!,
        _ => "?",
    };
}
