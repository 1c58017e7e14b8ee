using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// Decodes a frame body written by <see cref="FrameBodyWriter"/> (the layout is described there), reading by
/// reading. The body comes from a file: every length, index and count is checked against what is left and against
/// the frame's tag table; anything off throws <see cref="StoredFormatException"/>.
/// </summary>
internal ref struct FrameBodyReader
{
    /// <summary>Unix milliseconds of 0001-01-01 and 9999-12-31T23:59:59.999: the range a timestamp can be written in.</summary>
    private const long MinMs = -FrameBodyWriter.UnixEpochMilliseconds;
    private const long MaxMs = 253_402_300_799_999;

    private readonly ReadOnlySpan<byte> _body;
    private readonly int _tagCount;
    private readonly long _baseMs;
    private readonly bool _dense;
    private readonly int _reasonsStart;
    private readonly int _reasonCount;
    private int _position;
    private int _nextIndex;
    private int _remaining;

    /// <param name="body">The stored body.</param>
    /// <param name="tagCount">Tags in the frame's table: every index must be below it.</param>
    public FrameBodyReader(ReadOnlySpan<byte> body, int tagCount)
    {
        _body = body;
        _tagCount = tagCount;
        _position = 0;
        if (body.IsEmpty || body[0] != FrameBodyWriter.FormatVersion)
        {
            throw Malformed(body.IsEmpty ? "empty body" : $"unknown format {body[0]}");
        }

        _position = 1;
        _baseMs = CheckedTime(VarInt.UnZigZag(ReadVarInt()));
        byte flags = ReadByte();
        if ((flags & ~(FrameBodyWriter.DenseFlag | FrameBodyWriter.ReasonsFlag)) != 0)
        {
            throw Malformed($"unknown flags {flags:x2}");
        }

        _dense = (flags & FrameBodyWriter.DenseFlag) != 0;
        _nextIndex = _dense ? CheckedCount(ReadVarInt(), _tagCount, "first index") : 0;
        _reasonsStart = _position;
        if ((flags & FrameBodyWriter.ReasonsFlag) != 0)
        {
            _reasonCount = CheckedCount(ReadVarInt(), _body.Length - _position + 1, "reason count");
            _reasonsStart = _position;
            for (int i = 0; i < _reasonCount; i++)
            {
                SkipBytes(CheckedCount(ReadVarInt(), _body.Length - _position + 1, "reason length"));
            }
        }

        // Every reading takes at least its head byte.
        _remaining = CheckedCount(ReadVarInt(), _body.Length - _position + 1, "reading count");
        Count = _remaining;
        if (_dense && (long)_nextIndex + _remaining > _tagCount)
        {
            throw Malformed($"{_remaining} readings from tag {_nextIndex} run past the table's {_tagCount} tags");
        }

        _nextIndex = _dense ? _nextIndex : 0;
    }

    /// <summary>Readings in the frame.</summary>
    public int Count { get; }

    /// <summary>The next reading; false once all were read (and the body was used up exactly).</summary>
    public bool TryRead(out StoredReading reading)
    {
        if (_remaining == 0)
        {
            if (_position != _body.Length)
            {
                throw Malformed($"{_body.Length - _position} bytes after the last reading");
            }

            reading = default;
            return false;
        }

        _remaining--;
        byte head = ReadByte();
        int index;
        if (_dense)
        {
            index = _nextIndex++;
        }
        else
        {
            long candidate = (long)_nextIndex + VarInt.UnZigZag(ReadVarInt());
            if (candidate < 0 || candidate >= _tagCount)
            {
                throw Malformed($"tag index {candidate} outside the table's {_tagCount} tags");
            }

            index = (int)candidate;
            _nextIndex = index + 1;
        }

        int quality = (head >> FrameBodyWriter.QualityShift) & 3;
        if (quality > (int)Quality.Bad)
        {
            throw Malformed($"quality {quality}");
        }

        int reasonIndex = -1;
        ReadOnlySpan<byte> reason = default;
        if ((head & FrameBodyWriter.HasReasonBit) != 0)
        {
            reasonIndex = CheckedCount(ReadVarInt(), _reasonCount, "reason index");
            reason = ReasonAt(reasonIndex);
        }

        long ms = (head & FrameBodyWriter.HasTimestampBit) != 0 ? Offset(_baseMs, VarInt.UnZigZag(ReadVarInt())) : _baseMs;
        var encoding = (StoredValueEncoding)(head & 0x0F);
        StoredValueCodec.Read(_body, ref _position, encoding, out ulong bits, out ReadOnlySpan<byte> text);
        reading = new StoredReading(index, (Quality)quality, ms, encoding, bits, text, reasonIndex, reason);
        return true;
    }

    private readonly ReadOnlySpan<byte> ReasonAt(int index)
    {
        int position = _reasonsStart;
        for (int i = 0; ; i++)
        {
            VarInt.TryRead(_body, ref position, out ulong length); // checked in the constructor
            if (i == index)
            {
                return _body.Slice(position, (int)length);
            }

            position += (int)length;
        }
    }

    private ulong ReadVarInt() => VarInt.TryRead(_body, ref _position, out ulong value) ? value : throw Malformed("truncated or overlong number");

    private byte ReadByte() => _position < _body.Length ? _body[_position++] : throw Malformed("truncated");

    private ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count > _body.Length - _position)
        {
            throw Malformed("truncated");
        }

        ReadOnlySpan<byte> bytes = _body.Slice(_position, count);
        _position += count;
        return bytes;
    }

    private void SkipBytes(int count) => ReadBytes(count);

    private static int CheckedCount(ulong value, int limit, string what) =>
        value < (ulong)Math.Max(limit, 0) ? (int)value : throw Malformed($"{what} {value} out of range");

    private static long Offset(long baseMs, long delta) =>
        delta is >= MinMs - MaxMs and <= MaxMs - MinMs ? CheckedTime(baseMs + delta) : throw Malformed($"timestamp offset {delta} ms out of range");

    private static long CheckedTime(long ms) => ms is >= MinMs and <= MaxMs ? ms : throw Malformed($"timestamp {ms} ms out of range");

    private static StoredFormatException Malformed(string what) => new($"damaged frame body: {what}");
}
