using System.Text.Json;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Audit;

/// <summary>
/// An audit record as JSON, the payload of <c>{prefix}/audit</c> and an entry of the status page's <c>audit</c> list:
/// <c>{"seq":…,"ts":…,"command":"write","via":"mqtt","who":…,"kid":…,"id":…,"device":…,"tag":…,"old":…,"requested":…,
/// "confirmed":…,"outcome":…,"code":…,"reason":…,"device_status":…}</c>. Unknown members are null, never left out,
/// so every record has the same shape.
/// </summary>
internal static class AuditJson
{
    public static void Write(Utf8JsonWriter json, AuditRecord record)
    {
        json.WriteStartObject();
        if (record.Seq > 0)
        {
            json.WriteNumber("seq"u8, record.Seq);
        }

        JsonMembersWriter.WriteTimestamp(json, "ts"u8, record.Timestamp);
        json.WriteString("command"u8, record.Command);
        json.WriteString("via"u8, record.Via);
        json.WriteString("who"u8, record.Who);
        json.WriteString("kid"u8, record.KeyId);
        json.WriteString("id"u8, record.TokenId);
        json.WriteString("device"u8, record.DeviceId);
        json.WriteString("tag"u8, record.TagId);
        JsonMembersWriter.WriteValue(json, "old"u8, record.Old);
        JsonMembersWriter.WriteValue(json, "requested"u8, record.Requested);
        JsonMembersWriter.WriteValue(json, "confirmed"u8, record.Confirmed);
        json.WriteString("outcome"u8, record.Outcome.ToWire());
        json.WriteString("code"u8, record.Code);
        json.WriteString("reason"u8, record.Reason);
        json.WriteString("device_status"u8, record.DeviceStatus);
        json.WriteEndObject();
    }
}
