using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Rebuilds an alarm kept by a device from its last transition in <c>alarm_state</c>: such alarms are in no
/// configuration, so the stored JSON (device, severity, message and the <c>condition</c> member) is all there is.
/// </summary>
internal static class DeviceAlarmSnapshot
{
    public static bool TryRead(AlarmSnapshot snapshot, [NotNullWhen(true)] out AlarmDefinition? definition, [NotNullWhen(true)] out DeviceAlarmOrigin? origin)
    {
        definition = null;
        origin = null;
        if (snapshot.Body is not { } body || !body.Contains("\"condition\"", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            if (!root.TryGetProperty("condition", out JsonElement condition) || condition.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("device", out JsonElement device) || !root.TryGetProperty("severity", out JsonElement severity)
                || !Enum.TryParse(severity.GetString(), ignoreCase: true, out AlarmSeverity level))
            {
                return false;
            }

            origin = new DeviceAlarmOrigin(
                condition.GetProperty("id").GetString() ?? string.Empty,
                condition.GetProperty("source").GetString() ?? string.Empty,
                condition.GetProperty("severity").GetInt32());
            string message = root.TryGetProperty("message", out JsonElement text) ? text.GetString() ?? string.Empty : string.Empty;
            definition = new AlarmDefinition(snapshot.AlarmId, AlarmKind.Device, device.GetString() ?? string.Empty, null, null, level, message, TimeSpan.Zero, TimeSpan.Zero, Latch: true, []);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // A row written by another version: the device's next refresh reports the alarm afresh.
            origin = null;
            return false;
        }
    }
}
