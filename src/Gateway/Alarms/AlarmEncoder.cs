using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Encodes an alarm transition into the JSON members of the upstream contract (docs/alarms.md), without braces and
/// without <c>seq</c>, which the buffer assigns. The first eight members are the walking skeleton's contract;
/// the rest appear only when they say something (unit, reason, retired, occurrence, ack, condition, suppressed).
/// </summary>
internal sealed class AlarmEncoder
{
    private readonly JsonMembersWriter _json = new(512);

    public BufferEntry Encode(AlarmEvent alarmEvent)
    {
        _json.Begin();
        Utf8JsonWriter writer = _json.Writer;
        AlarmDefinition alarm = alarmEvent.Alarm;
        writer.WriteString("alarm"u8, alarm.Id);
        writer.WriteString("state"u8, alarmEvent.State.ToWire());
        writer.WriteString("severity"u8, alarm.Severity.ToString().ToLowerInvariant());
        writer.WriteString("device"u8, alarm.DeviceId);
        if (alarmEvent.Tag is { } tag)
        {
            writer.WriteString("tag"u8, tag);
        }
        else
        {
            writer.WriteNull("tag"u8);
        }

        _json.WriteValue("value"u8, alarmEvent.Value);
        writer.WriteString("message"u8, alarmEvent.Message);
        _json.WriteTimestamp("ts"u8, alarmEvent.Timestamp);
        writer.WriteString("previous"u8, alarmEvent.Previous.ToWire());
        if (alarm.Unit is { } unit)
        {
            writer.WriteString("unit"u8, unit);
        }

        if (alarmEvent.Reason is { } reason)
        {
            writer.WriteString("reason"u8, reason);
        }

        if (alarmEvent.Retired)
        {
            // The alarm left the configuration: its last message (docs/alarms.md, "Retired alarms").
            writer.WriteBoolean("retired"u8, true);
        }

        if (alarmEvent.Occurrence?.Seq is > 0 and long occurrence)
        {
            // The seq of the transition that opened this raise (its "active"), which a signed ack must name. Absent on
            // that transition itself: its own seq, assigned by the buffer after this encoding, is the occurrence.
            writer.WriteNumber("occurrence"u8, occurrence);
        }

        if (alarmEvent.Acknowledgement is { } ack)
        {
            writer.WriteStartObject("ack"u8);
            writer.WriteString("by"u8, ack.By);
            if (ack.Comment is { } comment)
            {
                writer.WriteString("comment"u8, comment);
            }

            if (ack.Key is { } key)
            {
                writer.WriteString("key"u8, key);
            }

            _json.WriteTimestamp("ts"u8, ack.At);
            writer.WriteEndObject();
        }

        if (alarmEvent.Origin is { } origin)
        {
            // The device's own view of an alarm it keeps (OPC UA: ConditionId, SourceName, Severity 1–1000).
            writer.WriteStartObject("condition"u8);
            writer.WriteString("id"u8, origin.ConditionId);
            writer.WriteString("source"u8, origin.SourceName);
            writer.WriteNumber("severity"u8, origin.DeviceSeverity);
            writer.WriteEndObject();
        }

        if (alarmEvent.Suppressed > 0)
        {
            writer.WriteNumber("suppressed"u8, alarmEvent.Suppressed);
        }

        return new BufferEntry(RecordKind.Alarm, alarm.DeviceId, _json.End());
    }
}
