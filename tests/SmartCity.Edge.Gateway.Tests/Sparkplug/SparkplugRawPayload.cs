namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// Sparkplug B payloads written byte by byte, for what Tahu's codec will not write (an int_value too large for the
/// datatype, an Int8 as its bare low byte): Payload field 2 (metrics), Metric fields 1 (name), 4 (datatype) and
/// 10 or 11 (int_value, long_value), all short enough for one-byte lengths.
/// </summary>
internal static class SparkplugRawPayload
{
    public const int IntValue = 10;
    public const int LongValue = 11;

    /// <summary>A Metric: <paramref name="name"/>, <paramref name="datatype"/>, and <paramref name="value"/> as a varint in field <paramref name="field"/>.</summary>
    public static byte[] IntMetric(string name, uint datatype, int field, ulong value)
    {
        List<byte> metric = [0x0a, (byte)name.Length, .. System.Text.Encoding.ASCII.GetBytes(name), 0x20, (byte)datatype, (byte)(field << 3)];
        for (ulong v = value; ; v >>= 7)
        {
            if (v < 0x80)
            {
                metric.Add((byte)v);
                return [.. metric];
            }

            metric.Add((byte)(v | 0x80));
        }
    }

    /// <summary>A Payload carrying <paramref name="metrics"/>.</summary>
    public static byte[] Of(params byte[][] metrics) => [.. metrics.SelectMany(m => (byte[])[0x12, (byte)m.Length, .. m])];
}
