namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>
/// A metric value as it travels: the oneof member and its raw content. Integers keep their wire bits
/// (<c>int_value</c> is a uint32, <c>long_value</c> a uint64); what they mean depends on the metric's datatype
/// (<see cref="SparkplugValueEncoding"/>).
/// </summary>
internal readonly struct SparkplugWireValue
{
    private SparkplugWireValue(SparkplugValueField field, ulong bits, double real, string? text)
    {
        Field = field;
        Bits = bits;
        Real = real;
        Text = text;
    }

    public SparkplugValueField Field { get; }

    /// <summary><c>int_value</c> (low 32 bits), <c>long_value</c>, or a boolean as 0/1.</summary>
    public ulong Bits { get; }

    /// <summary><c>float_value</c> (widened exactly) or <c>double_value</c>.</summary>
    public double Real { get; }

    /// <summary><c>string_value</c>.</summary>
    public string? Text { get; }

    public static SparkplugWireValue None => default;

    public static SparkplugWireValue Int(uint value) => new(SparkplugValueField.Int, value, 0, null);

    public static SparkplugWireValue Long(ulong value) => new(SparkplugValueField.Long, value, 0, null);

    public static SparkplugWireValue Float(float value) => new(SparkplugValueField.Float, 0, value, null);

    public static SparkplugWireValue Double(double value) => new(SparkplugValueField.Double, 0, value, null);

    public static SparkplugWireValue Boolean(bool value) => new(SparkplugValueField.Boolean, value ? 1UL : 0UL, 0, null);

    public static SparkplugWireValue String(string value) => new(SparkplugValueField.String, 0, 0, value);

    /// <summary>A <c>bytes_value</c> we read but do not keep (arrays, files): only its presence.</summary>
    public static SparkplugWireValue Bytes => new(SparkplugValueField.Bytes, 0, 0, null);

    public uint IntBits => unchecked((uint)Bits);

    public float SingleValue => (float)Real;
}
