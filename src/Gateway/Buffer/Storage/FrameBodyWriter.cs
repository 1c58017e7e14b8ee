using System.Buffers;
using System.Text;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// Encodes the readings of one frame into the body the durable buffer stores (one row per frame). Format 1:
/// <code>
/// body    = format:u8(=1) base_ms:zigzag flags:u8 [first_index:varint] [reasons] count:varint reading*count
/// flags   = bit 0: dense (tag indexes are first_index, first_index+1, …: no index per reading)
///           bit 1: a reason table follows (the distinct reasons of the frame)
/// reasons = n:varint (length:varint utf8)*n
/// reading = head:u8 [index_delta:zigzag] [reason:varint] [ts_delta_ms:zigzag] value
/// head    = bits 0-3: <see cref="StoredValueEncoding"/>; bits 4-5: quality (0 good, 1 uncertain, 2 bad);
///           bit 6: has a reason (index into the table); bit 7: has its own timestamp (ms from base_ms)
/// </code>
/// base_ms is the first reading's source time in Unix milliseconds (upstream formats carry milliseconds); a reading
/// sampled at another time stores the difference. index_delta is the index minus (the previous index + 1), so tags
/// in table order cost nothing even when not dense. A Modbus poll of 1,000 changing uint16 registers is 3–4 bytes
/// a reading. Not thread-safe: one per producer, reused.
/// </summary>
internal sealed class FrameBodyWriter
{
    public const byte FormatVersion = 1;
    public const byte DenseFlag = 1;
    public const byte ReasonsFlag = 2;
    public const int QualityShift = 4;
    public const byte HasReasonBit = 0x40;
    public const byte HasTimestampBit = 0x80;

    /// <summary>Milliseconds from 0001-01-01 to the Unix epoch: ticks / 10,000 minus this is Unix milliseconds.</summary>
    public const long UnixEpochMilliseconds = 62_135_596_800_000;

    private readonly List<string> _reasons = [];
    private readonly Dictionary<string, int> _reasonIndexes = new(StringComparer.Ordinal);

    /// <summary>The Unix milliseconds of a source timestamp given in UTC ticks (truncated, as the upstream text shows it).</summary>
    public static long ToUnixMilliseconds(long utcTicks) => (utcTicks / TimeSpan.TicksPerMillisecond) - UnixEpochMilliseconds;

    /// <summary>
    /// Writes the readings at <paramref name="selected"/> positions of <paramref name="readings"/> (at least one), in
    /// that order. Returns the number of bytes written.
    /// </summary>
    public int Write(IBufferWriter<byte> output, ReadOnlySpan<TagReading> readings, ReadOnlySpan<int> selected)
    {
        if (selected.IsEmpty)
        {
            throw new ArgumentException("A frame needs at least one reading.", nameof(selected));
        }

        // First pass: the base time, whether the indexes run without gaps, the distinct reasons.
        long baseMs = ToUnixMilliseconds(readings[selected[0]].SourceTicks);
        int firstIndex = readings[selected[0]].TagIndex;
        bool dense = true;
        _reasons.Clear();
        _reasonIndexes.Clear();
        int reasonBytes = 0;
        for (int i = 0; i < selected.Length; i++)
        {
            ref readonly TagReading reading = ref readings[selected[i]];
            dense &= reading.TagIndex == firstIndex + i;
            if (reading.Reason is { } reason && ReasonIndex(reason) < 0)
            {
                _reasonIndexes.Add(reason, _reasons.Count);
                _reasons.Add(reason);
                reasonBytes += VarInt.MaxLength + Encoding.UTF8.GetMaxByteCount(reason.Length);
            }
        }

        int written = 0;
        Span<byte> header = output.GetSpan((4 * VarInt.MaxLength) + 2 + reasonBytes);
        int position = 0;
        header[position++] = FormatVersion;
        VarInt.Write(header, ref position, VarInt.ZigZag(baseMs));
        header[position++] = (byte)((dense ? DenseFlag : 0) | (_reasons.Count > 0 ? ReasonsFlag : 0));
        if (dense)
        {
            VarInt.Write(header, ref position, (ulong)firstIndex);
        }

        if (_reasons.Count > 0)
        {
            VarInt.Write(header, ref position, (ulong)_reasons.Count);
            foreach (string reason in _reasons)
            {
                int length = Encoding.UTF8.GetByteCount(reason);
                VarInt.Write(header, ref position, (ulong)length);
                position += Encoding.UTF8.GetBytes(reason, header[position..]);
            }
        }

        VarInt.Write(header, ref position, (ulong)selected.Length);
        output.Advance(position);
        written += position;

        // Second pass: the readings.
        int previousIndex = -1;
        for (int i = 0; i < selected.Length; i++)
        {
            ref readonly TagReading reading = ref readings[selected[i]];
            TagValue value = reading.Value;
            Span<byte> span = output.GetSpan(1 + (3 * VarInt.MaxLength) + StoredValueCodec.MaxLength(value));
            position = 1;
            if (!dense)
            {
                VarInt.Write(span, ref position, VarInt.ZigZag(reading.TagIndex - (long)previousIndex - 1));
                previousIndex = reading.TagIndex;
            }

            byte head = (byte)((int)reading.Quality << QualityShift);
            if (reading.Reason is { } reason)
            {
                head |= HasReasonBit;
                VarInt.Write(span, ref position, (ulong)ReasonIndex(reason));
            }

            long ms = ToUnixMilliseconds(reading.SourceTicks);
            if (ms != baseMs)
            {
                head |= HasTimestampBit;
                VarInt.Write(span, ref position, VarInt.ZigZag(ms - baseMs));
            }

            head |= (byte)StoredValueCodec.Write(span, ref position, value);
            span[0] = head;
            output.Advance(position);
            written += position;
        }

        return written;
    }

    private int ReasonIndex(string reason)
    {
        // Frames hold one or two distinct reasons (an outage gives every tag the same one): a reference check first.
        for (int i = 0; i < _reasons.Count && i < 4; i++)
        {
            if (ReferenceEquals(_reasons[i], reason))
            {
                return i;
            }
        }

        return _reasonIndexes.TryGetValue(reason, out int index) ? index : -1;
    }
}
