using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Encodes an alarm transition into the JSON members of the upstream contract (docs/alarms.md), without braces and
/// without <c>seq</c>, which the buffer assigns. The first eight members are the walking skeleton's contract;
/// the rest appear only when they say something (unit, reason, ack, suppressed).
/// </summary>
internal sealed class AlarmEncoder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _writer;

    public AlarmEncoder()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    public BufferEntry Encode(AlarmEvent alarmEvent)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        AlarmDefinition alarm = alarmEvent.Alarm;
        _writer.WriteString("alarm"u8, alarm.Id);
        _writer.WriteString("state"u8, alarmEvent.State.ToWire());
        _writer.WriteString("severity"u8, alarm.Severity.ToString().ToLowerInvariant());
        _writer.WriteString("device"u8, alarm.DeviceId);
        if (alarmEvent.Tag is { } tag)
        {
            _writer.WriteString("tag"u8, tag);
        }
        else
        {
            _writer.WriteNull("tag"u8);
        }

        WriteValue(alarmEvent.Value);
        _writer.WriteString("message"u8, alarmEvent.Message);
        WriteTimestamp("ts"u8, alarmEvent.Timestamp);
        _writer.WriteString("previous"u8, alarmEvent.Previous.ToWire());
        if (alarm.Unit is { } unit)
        {
            _writer.WriteString("unit"u8, unit);
        }

        if (alarmEvent.Reason is { } reason)
        {
            _writer.WriteString("reason"u8, reason);
        }

        if (alarmEvent.Acknowledgement is { } ack)
        {
            _writer.WriteStartObject("ack"u8);
            _writer.WriteString("by"u8, ack.By);
            if (ack.Comment is { } comment)
            {
                _writer.WriteString("comment"u8, comment);
            }

            WriteTimestamp("ts"u8, ack.At);
            _writer.WriteEndObject();
        }

        if (alarmEvent.Suppressed > 0)
        {
            _writer.WriteNumber("suppressed"u8, alarmEvent.Suppressed);
        }

        _writer.WriteEndObject();
        _writer.Flush();
        return new BufferEntry(RecordKind.Alarm, alarm.DeviceId, Encoding.UTF8.GetString(_buffer.WrittenSpan[1..^1]));
    }

    private void WriteValue(TagValue value)
    {
        switch (value.Kind)
        {
            case TagValueKind.Boolean:
                _writer.WriteBoolean("value"u8, value.AsBoolean());
                break;
            case TagValueKind.Int64:
                _writer.WriteNumber("value"u8, value.AsInt64());
                break;
            case TagValueKind.UInt64:
                _writer.WriteNumber("value"u8, value.AsUInt64());
                break;
            case TagValueKind.Double when double.IsFinite(value.AsDouble()):
                _writer.WriteNumber("value"u8, value.AsDouble());
                break;
            case TagValueKind.String:
                _writer.WriteString("value"u8, value.AsString());
                break;
            default:
                _writer.WriteNull("value"u8);
                break;
        }
    }

    private void WriteTimestamp(ReadOnlySpan<byte> name, DateTimeOffset timestamp)
    {
        Span<char> text = stackalloc char[24];
        timestamp.UtcDateTime.TryFormat(text, out int written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        _writer.WriteString(name, text[..written]);
    }
}
