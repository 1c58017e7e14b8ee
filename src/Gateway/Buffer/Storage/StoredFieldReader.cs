using System.Text;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// Reads what <see cref="StoredFieldWriter"/> wrote; every malformed field is a <see cref="StoredFormatException"/> naming
/// the record (<c>damaged audit record: truncated</c>).
/// </summary>
internal ref struct StoredFieldReader(ReadOnlySpan<byte> body, string record)
{
    private readonly ReadOnlySpan<byte> _body = body;

    public int Position { get; set; }

    public readonly bool AtEnd => Position == _body.Length;

    public byte Byte() => Position < _body.Length ? _body[Position++] : throw Truncated();

    public ulong Number()
    {
        int position = Position;
        ulong value = VarInt.TryRead(_body, ref position, out ulong read) ? read : throw Truncated();
        Position = position;
        return value;
    }

    public DateTimeOffset Time()
    {
        long ms = VarInt.UnZigZag(Number());
        return ms is >= -FrameBodyWriter.UnixEpochMilliseconds and <= 253_402_300_799_999
            ? new DateTimeOffset((ms + FrameBodyWriter.UnixEpochMilliseconds) * TimeSpan.TicksPerMillisecond, TimeSpan.Zero)
            : throw Damaged($"time {ms} ms out of range");
    }

    public string String()
    {
        ulong length = Number();
        if (length > (ulong)(_body.Length - Position))
        {
            throw Truncated();
        }

        string text = Encoding.UTF8.GetString(_body.Slice(Position, (int)length));
        Position += (int)length;
        return text;
    }

    public string? Optional(bool present) => present ? String() : null;

    public TagValue Value()
    {
        var encoding = (StoredValueEncoding)Byte();
        int position = Position;
        StoredValueCodec.Read(_body, ref position, encoding, out ulong bits, out ReadOnlySpan<byte> text);
        Position = position;
        return StoredValueCodec.ToTagValue(encoding, bits, text);
    }

    public readonly StoredFormatException Damaged(string what) => new($"damaged {record}: {what}");

    private readonly StoredFormatException Truncated() => Damaged("truncated");
}
