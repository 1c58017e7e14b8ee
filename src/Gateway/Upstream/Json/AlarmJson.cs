using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Upstream.Json;

/// <summary>
/// An alarm transition in the JSON of the upstream contract (docs/alarms.md): the first eight members are the
/// walking skeleton's contract; the rest appear only when they say something (unit, reason, retired, occurrence, ack, condition,
/// suppressed); <c>seq</c> last. The MQTT message, the retained state, the webhook body and the stored alarm state all use it.
/// </summary>
internal static class AlarmJson
{
    /// <summary>
    /// The whole object: <c>{["gateway":…,]"alarm":…,…,"seq":…}</c>; <paramref name="gatewayId"/> is written first when
    /// given (webhooks carry it, the MQTT messages have it in the topic).
    /// </summary>
    public static void Write(Utf8JsonWriter writer, AlarmRecord alarm, long seq, string? gatewayId = null)
    {
        writer.WriteStartObject();
        if (gatewayId is not null)
        {
            writer.WriteString("gateway"u8, gatewayId);
        }

        writer.WriteString("alarm"u8, alarm.AlarmId);
        writer.WriteString("state"u8, alarm.State.ToWire());
        writer.WriteString("severity"u8, Severity(alarm.Severity));
        writer.WriteString("device"u8, alarm.DeviceId);
        if (alarm.TagId is { } tag)
        {
            writer.WriteString("tag"u8, tag);
        }
        else
        {
            writer.WriteNull("tag"u8);
        }

        JsonContract.WriteValue(writer, "value"u8, alarm.Value);
        writer.WriteString("message"u8, alarm.Message);
        JsonContract.WriteTimestamp(writer, "ts"u8, alarm.Timestamp);
        writer.WriteString("previous"u8, alarm.Previous.ToWire());
        if (alarm.Unit is { } unit)
        {
            writer.WriteString("unit"u8, unit);
        }

        if (alarm.Reason is { } reason)
        {
            writer.WriteString("reason"u8, reason);
        }

        if (alarm.Retired)
        {
            // The alarm left the configuration: its last message (docs/alarms.md, "Retired alarms").
            writer.WriteBoolean("retired"u8, true);
        }

        if (alarm.Occurrence > 0)
        {
            // The seq of the transition that opened this raise (its "active"), which a signed ack must name. Absent on
            // that transition itself: its own seq, assigned by the buffer after the record was made, is the occurrence.
            writer.WriteNumber("occurrence"u8, alarm.Occurrence);
        }

        if (alarm.Acknowledgement is { } ack)
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

            JsonContract.WriteTimestamp(writer, "ts"u8, ack.At);
            writer.WriteEndObject();
        }

        if (alarm.Condition is { } condition)
        {
            // The device's own view of an alarm it keeps (OPC UA: ConditionId, SourceName, Severity 1–1000).
            writer.WriteStartObject("condition"u8);
            writer.WriteString("id"u8, condition.ConditionId);
            writer.WriteString("source"u8, condition.SourceName);
            writer.WriteNumber("severity"u8, condition.DeviceSeverity);
            writer.WriteEndObject();
        }

        if (alarm.Suppressed > 0)
        {
            writer.WriteNumber("suppressed"u8, alarm.Suppressed);
        }

        writer.WriteNumber("seq"u8, seq);
        writer.WriteEndObject();
    }

    /// <summary><see cref="Write"/> into a new string (webhook bodies and the stored alarm state).</summary>
    public static string ToJson(AlarmRecord alarm, long seq, string? gatewayId = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, alarm, seq, gatewayId);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Severity(Configuration.AlarmSeverity severity) => severity switch
    {
        Configuration.AlarmSeverity.Info => "info",
        Configuration.AlarmSeverity.Warning => "warning",
        Configuration.AlarmSeverity.High => "high",
        _ => "critical",
    };
}
