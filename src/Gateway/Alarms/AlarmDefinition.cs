using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>Everything the engine needs to know about one alarm, configured or built in.</summary>
internal sealed record AlarmDefinition(
    string Id,
    AlarmKind Kind,
    string DeviceId,
    string? TagId,
    string? Unit,
    AlarmSeverity Severity,
    string MessageTemplate,
    TimeSpan Delay,
    TimeSpan ClearDelay,
    bool Latch,
    IReadOnlyList<AlarmAction> Actions,
    AlarmRule? Rule = null,
    int OfflineAfter = 0)
{
    /// <summary>Builds the alarms of a configuration: every rule, then each device's offline and bad-quality alarms unless switched off.</summary>
    public static IReadOnlyList<AlarmDefinition> FromConfiguration(GatewayConfiguration configuration)
    {
        var definitions = new List<AlarmDefinition>();
        foreach (AlarmRule rule in configuration.Alarms)
        {
            string? unit = configuration.Devices.FirstOrDefault(d => d.Id == rule.DeviceId)?.Tags.FirstOrDefault(t => t.Id == rule.TagId)?.Unit;
            definitions.Add(new AlarmDefinition(
                rule.Id, AlarmKind.Rule, rule.DeviceId, rule.TagId, unit, rule.Severity, rule.Message, rule.Delay, rule.ClearDelay, rule.Latch, rule.Actions, rule));
        }

        AlarmOptions options = configuration.AlarmOptions;
        foreach (DeviceConfiguration device in configuration.Devices)
        {
            if (options.Offline.AppliesTo(device.Id))
            {
                definitions.Add(new AlarmDefinition(
                    BuiltInAlarmIds.Offline(device.Id), AlarmKind.Offline, device.Id, null, null, options.Offline.Severity, options.Offline.Message,
                    options.Offline.Delay, TimeSpan.Zero, options.Offline.Latch, [], OfflineAfter: options.Offline.OfflineAfter));
            }

            if (options.BadQuality.AppliesTo(device.Id))
            {
                definitions.Add(new AlarmDefinition(
                    BuiltInAlarmIds.BadQuality(device.Id), AlarmKind.BadQuality, device.Id, null, null, options.BadQuality.Severity, options.BadQuality.Message,
                    options.BadQuality.Delay, TimeSpan.Zero, options.BadQuality.Latch, []));
            }
        }

        return definitions;
    }

    /// <summary>The devices of a configuration that report alarms they keep themselves (OPC UA <c>events:</c>): their alarms live on; others' are retired.</summary>
    public static IReadOnlySet<string> DeviceAlarmSources(GatewayConfiguration configuration) =>
        configuration.Devices.Where(d => d.Settings.ReportsDeviceAlarms).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
}
