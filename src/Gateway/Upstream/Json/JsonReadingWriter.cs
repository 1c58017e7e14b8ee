using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream.Json;

/// <summary>
/// Writes one reading of the telemetry contract (docs/upstream.md) straight from a stored frame:
/// <c>{"tag":…,"value":…,"quality":…[,"reason":…],"ts":…,"seq":…}</c>, byte for byte what a <see cref="Utf8JsonWriter"/>
/// with default options writes (strings escaped by <see cref="JsonEncodedText"/>, numbers by <see cref="Utf8Formatter"/>,
/// as the writer does), without its per-call overhead. Each tag's <c>{"tag":"…","value":</c> is built once per tag table,
/// a frame's reasons once per frame, the time text once per distinct millisecond.
/// </summary>
internal sealed class JsonReadingWriter
{
    /// <summary>Tag tables whose prefixes are kept; more are dropped all at once (tables are few: one per device and configuration).</summary>
    private const int MaxTables = 256;

    private static ReadOnlySpan<byte> Good => ",\"quality\":\"good\""u8;

    private static ReadOnlySpan<byte> Uncertain => ",\"quality\":\"uncertain\""u8;

    private static ReadOnlySpan<byte> Bad => ",\"quality\":\"bad\""u8;

    private readonly Dictionary<TagTable, byte[][]> _prefixes = [];
    private readonly List<byte[]?> _reasons = [];
    private readonly byte[] _time = new byte[JsonTime.Length];
    private long _timeMs = long.MinValue;

    /// <summary>The <c>{"tag":"…","value":</c> of each tag of <paramref name="table"/>.</summary>
    public byte[][] PrefixesFor(TagTable table)
    {
        if (!_prefixes.TryGetValue(table, out byte[][]? prefixes))
        {
            if (_prefixes.Count >= MaxTables)
            {
                _prefixes.Clear();
            }

            prefixes = new byte[table.Count][];
            for (int i = 0; i < prefixes.Length; i++)
            {
                ReadOnlySpan<byte> id = JsonEncodedText.Encode(table[i].Id).EncodedUtf8Bytes;
                prefixes[i] = [.. "{\"tag\":\""u8, .. id, .. "\",\"value\":"u8];
            }

            _prefixes.Add(table, prefixes);
        }

        return prefixes;
    }

    /// <summary>A new frame: its reason table starts empty.</summary>
    public void BeginFrame() => _reasons.Clear();

    public void Write(IBufferWriter<byte> output, byte[][] prefixes, in StoredReading reading, long seq)
    {
        byte[] prefix = prefixes[reading.TagIndex];
        ReadOnlySpan<byte> text = reading.Encoding == StoredValueEncoding.String ? JsonEncodedText.Encode(reading.Text).EncodedUtf8Bytes : default;
        ReadOnlySpan<byte> reason = reading.HasReason ? Reason(reading) : default;

        // prefix + value (a number ≤ 32 bytes, or a quoted string) + quality + reason + ts + seq + braces.
        Span<byte> span = output.GetSpan(prefix.Length + 34 + text.Length + 24 + 12 + reason.Length + 8 + JsonTime.Length + 30);
        prefix.CopyTo(span);
        int position = prefix.Length;
        position += WriteValue(span[position..], reading, text);
        ReadOnlySpan<byte> quality = reading.Quality switch
        {
            Quality.Good => Good,
            Quality.Uncertain => Uncertain,
            _ => Bad,
        };
        quality.CopyTo(span[position..]);
        position += quality.Length;
        if (reading.HasReason)
        {
            ",\"reason\":\""u8.CopyTo(span[position..]);
            position += 11;
            reason.CopyTo(span[position..]);
            position += reason.Length;
            span[position++] = (byte)'"';
        }

        ",\"ts\":\""u8.CopyTo(span[position..]);
        position += 7;
        Time(reading.TimestampMs).CopyTo(span[position..]);
        position += JsonTime.Length;
        "\",\"seq\":"u8.CopyTo(span[position..]);
        position += 8;
        Utf8Formatter.TryFormat(seq, span[position..], out int digits);
        position += digits;
        span[position++] = (byte)'}';
        output.Advance(position);
    }

    /// <summary>A value as <see cref="Utf8JsonWriter"/> writes it; null where JSON has no number (none, NaN, infinities).</summary>
    private static int WriteValue(Span<byte> span, in StoredReading reading, ReadOnlySpan<byte> text)
    {
        int written;
        switch (reading.Encoding)
        {
            case StoredValueEncoding.False:
                "false"u8.CopyTo(span);
                return 5;
            case StoredValueEncoding.True:
                "true"u8.CopyTo(span);
                return 4;
            case StoredValueEncoding.Int64:
                Utf8Formatter.TryFormat((long)reading.Bits, span, out written);
                return written;
            case StoredValueEncoding.NegativeInt64:
                Utf8Formatter.TryFormat(~(long)reading.Bits, span, out written);
                return written;
            case StoredValueEncoding.UInt64:
                Utf8Formatter.TryFormat(reading.Bits, span, out written);
                return written;
            case StoredValueEncoding.Float64Integral:
                Utf8Formatter.TryFormat((double)reading.Bits, span, out written);
                return written;
            case StoredValueEncoding.Float64NegativeIntegral:
                Utf8Formatter.TryFormat((double)~(long)reading.Bits, span, out written);
                return written;
            case StoredValueEncoding.Float64 when double.IsFinite(BitConverter.Int64BitsToDouble((long)reading.Bits)):
                Utf8Formatter.TryFormat(BitConverter.Int64BitsToDouble((long)reading.Bits), span, out written);
                return written;
            case StoredValueEncoding.Float32 when float.IsFinite(BitConverter.Int32BitsToSingle((int)reading.Bits)):
                // The shortest text that reads back to the same float32 (24.864313), as Utf8JsonWriter writes a float.
                Utf8Formatter.TryFormat(BitConverter.Int32BitsToSingle((int)reading.Bits), span, out written);
                return written;
            case StoredValueEncoding.String:
                span[0] = (byte)'"';
                text.CopyTo(span[1..]);
                span[text.Length + 1] = (byte)'"';
                return text.Length + 2;
            default:
                "null"u8.CopyTo(span);
                return 4;
        }
    }

    private ReadOnlySpan<byte> Reason(in StoredReading reading)
    {
        while (_reasons.Count <= reading.ReasonIndex)
        {
            _reasons.Add(null);
        }

        return _reasons[reading.ReasonIndex] ??= JsonEncodedText.Encode(reading.Reason).EncodedUtf8Bytes.ToArray();
    }

    private ReadOnlySpan<byte> Time(long ms)
    {
        if (ms != _timeMs)
        {
            JsonTime.Format(ms, _time);
            _timeMs = ms;
        }

        return _time;
    }
}
