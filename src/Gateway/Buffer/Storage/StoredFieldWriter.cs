using System.Buffers;
using System.Text;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// The fields of the buffer's typed records (alarm and audit records): length-prefixed UTF-8 strings, varints,
/// millisecond times as zigzag varints, and tag values as <see cref="StoredValueCodec"/> stores them (encoding byte,
/// then payload).
/// </summary>
internal static class StoredFieldWriter
{
    public static void WriteString(IBufferWriter<byte> output, string text)
    {
        Span<byte> span = output.GetSpan(VarInt.MaxLength + Encoding.UTF8.GetMaxByteCount(text.Length));
        int position = 0;
        VarInt.Write(span, ref position, (ulong)Encoding.UTF8.GetByteCount(text));
        position += Encoding.UTF8.GetBytes(text, span[position..]);
        output.Advance(position);
    }

    public static void WriteOptional(IBufferWriter<byte> output, string? text)
    {
        if (text is not null)
        {
            WriteString(output, text);
        }
    }

    public static void WriteNumber(IBufferWriter<byte> output, ulong value)
    {
        int position = 0;
        VarInt.Write(output.GetSpan(VarInt.MaxLength), ref position, value);
        output.Advance(position);
    }

    public static void WriteTime(IBufferWriter<byte> output, DateTimeOffset time) =>
        WriteNumber(output, VarInt.ZigZag(FrameBodyWriter.ToUnixMilliseconds(time.UtcTicks)));

    /// <summary>The value's encoding byte, then its payload.</summary>
    public static void WriteValue(IBufferWriter<byte> output, TagValue value)
    {
        Span<byte> span = output.GetSpan(1 + StoredValueCodec.MaxLength(value));
        int position = 1;
        span[0] = (byte)StoredValueCodec.Write(span, ref position, value);
        output.Advance(position);
    }
}
