using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// The end of an alarm that no longer exists in the configuration (its rule removed, its device removed, or its
/// device's <c>events:</c> switched off). The alarm gets one last message, <c>cleared</c> with
/// <c>"reason":"removed from configuration"</c> and <c>"retired":true</c>: integrators that know only the four states
/// take it as a clear, which is what it means for the desk (nothing can raise or acknowledge it any more). Then its
/// retained state topic is deleted and its row in <c>alarm_state</c> removed.
/// </summary>
internal static class AlarmRetirement
{
    public const string Reason = "removed from configuration";

    /// <summary>
    /// The retirement of an alarm found in <c>alarm_state</c> at start whose configuration is gone: rebuilt from its last
    /// transition's JSON (device, severity, tag, message, unit, condition), as that is all there is left of it.
    /// </summary>
    public static AlarmEvent FromSnapshot(AlarmSnapshot snapshot, DateTimeOffset at)
    {
        string device = string.Empty;
        string? tag = null;
        string? unit = null;
        string message = string.Empty;
        AlarmSeverity severity = AlarmSeverity.Warning;
        DeviceAlarmOrigin? origin = null;
        if (snapshot.Body is { } body)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                JsonElement root = document.RootElement;
                device = Text(root, "device") ?? device;
                tag = Text(root, "tag");
                unit = Text(root, "unit");
                message = Text(root, "message") ?? message;
                if (Text(root, "severity") is { } level && Enum.TryParse(level, ignoreCase: true, out AlarmSeverity parsed))
                {
                    severity = parsed;
                }

                if (root.TryGetProperty("condition", out JsonElement condition) && condition.ValueKind == JsonValueKind.Object
                    && Text(condition, "id") is { } conditionId && condition.TryGetProperty("severity", out JsonElement deviceSeverity)
                    && deviceSeverity.TryGetInt32(out int deviceLevel))
                {
                    origin = new DeviceAlarmOrigin(conditionId, Text(condition, "source") ?? string.Empty, deviceLevel);
                }
            }
            catch (JsonException)
            {
                // A row written by another version: the alarm id and state are enough to end it.
            }
        }

        AlarmKind kind = origin is null ? AlarmKind.Rule : AlarmKind.Device;
        var alarm = new AlarmDefinition(snapshot.AlarmId, kind, device, tag, unit, severity, message, TimeSpan.Zero, TimeSpan.Zero, Latch: false, []);
        return new AlarmEvent(alarm, AlarmLifecycle.Cleared, snapshot.State, TagValue.None, tag, message, Reason, at, null, 0, origin, Retired: true);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
