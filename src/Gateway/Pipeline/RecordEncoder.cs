using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Encodes readings once, at commit time, into the JSON members that the upstream contract
/// documents (docs/upstream.md), without the enclosing braces and without <c>seq</c>, which the buffer assigns.
/// </summary>
internal sealed class RecordEncoder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;

    public RecordEncoder()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    public BufferEntry EncodeReading(in Reading reading)
    {
        Begin();
        _writer.WriteString("tag"u8, reading.TagId);
        WriteValue("value"u8, reading.Value);
        _writer.WriteString("quality"u8, QualityName(reading.Quality));
        if (reading.Reason is not null)
        {
            _writer.WriteString("reason"u8, reading.Reason);
        }

        WriteTimestamp(reading.SourceTimestamp);
        return new BufferEntry(RecordKind.Telemetry, reading.DeviceId, End());
    }

    public static string QualityName(Quality quality) => quality switch
    {
        Quality.Good => "good",
        Quality.Uncertain => "uncertain",
        _ => "bad",
    };

    /// <summary>ISO 8601 UTC with milliseconds, as in the upstream contract.</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private void Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
    }

    private string End()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        ReadOnlySpan<byte> json = _buffer.WrittenSpan;
        return Encoding.UTF8.GetString(json[1..^1]);
    }

    private void WriteValue(ReadOnlySpan<byte> name, TagValue value)
    {
        switch (value.Kind)
        {
            case TagValueKind.Boolean:
                _writer.WriteBoolean(name, value.AsBoolean());
                break;
            case TagValueKind.Int64:
                _writer.WriteNumber(name, value.AsInt64());
                break;
            case TagValueKind.UInt64:
                _writer.WriteNumber(name, value.AsUInt64());
                break;
            case TagValueKind.Double when double.IsFinite(value.AsDouble()):
                _writer.WriteNumber(name, value.AsDouble());
                break;
            case TagValueKind.String:
                _writer.WriteString(name, value.AsString());
                break;
            default:
                // None, NaN and infinities have no JSON number: null, with the quality saying why.
                _writer.WriteNull(name);
                break;
        }
    }

    private void WriteTimestamp(DateTimeOffset timestamp)
    {
        Span<char> text = stackalloc char[24];
        timestamp.UtcDateTime.TryFormat(text, out int written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        _writer.WriteString("ts"u8, text[..written]);
    }
}
