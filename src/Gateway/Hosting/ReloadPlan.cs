using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// What a reload has to do, computed without side effects from the running and the new configuration: devices
/// to stop for good, to restart with new settings, to start, whether the webhooks or the MQTT connection change,
/// and sections whose change needs a process restart.
/// </summary>
/// <param name="WebhooksChanged">The <c>webhooks:</c> list differs (applied live by the dispatcher).</param>
/// <param name="Mqtt">New <c>upstream.mqtt</c> connection settings to reconnect with, or null when they stay.</param>
internal sealed record ReloadPlan(
    IReadOnlyList<string> Removed,
    IReadOnlyList<DeviceConfiguration> Restarted,
    IReadOnlyList<DeviceConfiguration> Added,
    int Unchanged,
    IReadOnlyList<string> NeedsRestart,
    bool WebhooksChanged = false,
    MqttUpstreamConfiguration? Mqtt = null)
{
    public static ReloadPlan Between(GatewayConfiguration running, GatewayConfiguration next)
    {
        var before = running.Devices.ToDictionary(d => d.Id, StringComparer.Ordinal);
        var removed = running.Devices.Where(d => !next.Devices.Any(n => n.Id == d.Id)).Select(d => d.Id).ToList();
        var restarted = new List<DeviceConfiguration>();
        var added = new List<DeviceConfiguration>();
        int unchanged = 0;
        foreach (DeviceConfiguration device in next.Devices)
        {
            if (!before.TryGetValue(device.Id, out DeviceConfiguration? old))
            {
                added.Add(device);
            }
            else if (SameDevice(old, device))
            {
                unchanged++;
            }
            else
            {
                restarted.Add(device);
            }
        }

        // The buffer and the HTTP listener stay up across a reload by design; a change there is reported, not applied.
        // So is what would change the published contract or the set of publishers: the topic prefix (integrators'
        // subscriptions and our command topic), adding or removing the MQTT broker, and the console publisher.
        var needsRestart = new List<string>();
        if (!ConfigEquality.DeepEquals(running.Gateway, next.Gateway))
        {
            needsRestart.Add("gateway");
        }

        // The buffer's directory is gateway.data_dir, reported as "gateway" above: one edit, one name.
        if (!ConfigEquality.DeepEquals(running.Buffer with { DataDirectory = next.Buffer.DataDirectory }, next.Buffer))
        {
            needsRestart.Add("buffer");
        }

        MqttUpstreamConfiguration? mqtt = null;
        if ((running.Upstream.Mqtt is null) != (next.Upstream.Mqtt is null))
        {
            needsRestart.Add("upstream.mqtt");
        }
        else if (running.Upstream.Mqtt is not null && !ConfigEquality.DeepEquals(running.Upstream.Mqtt, next.Upstream.Mqtt))
        {
            mqtt = next.Upstream.Mqtt;
        }

        if (running.Upstream.TopicPrefix != next.Upstream.TopicPrefix)
        {
            needsRestart.Add("upstream.mqtt.topic_prefix");
        }

        if (running.Upstream.Console != next.Upstream.Console)
        {
            needsRestart.Add("upstream.console");
        }

        // The edge node's session (bdSeq, births, aliases) belongs to one set of servers and ids: it starts anew.
        if (!ConfigEquality.DeepEquals(running.Upstream.Sparkplug, next.Upstream.Sparkplug))
        {
            needsRestart.Add("upstream.sparkplug");
        }

        if (!ConfigEquality.DeepEquals(running.Http, next.Http))
        {
            needsRestart.Add("http");
        }

        if (!ConfigEquality.DeepEquals(running.SnmpTraps, next.SnmpTraps))
        {
            needsRestart.Add("snmp_traps");
        }

        bool webhooksChanged = !ConfigEquality.DeepEquals(running.Webhooks, next.Webhooks);
        return new ReloadPlan(removed, restarted, added, unchanged, needsRestart, webhooksChanged, mqtt);
    }

    /// <summary>
    /// The upstream section the gateway runs on after this plan: the new MQTT connection settings if they can be
    /// applied live, everything else as it runs now.
    /// </summary>
    public UpstreamConfiguration UpstreamAfter(UpstreamConfiguration running) =>
        Mqtt is null ? running : running with { Mqtt = Mqtt };

    /// <summary>
    /// A device keeps running when its driver and driver settings, poll interval and tag list are unchanged.
    /// A deadband or unit change alone is applied by the processing stage without a restart.
    /// </summary>
    private static bool SameDevice(DeviceConfiguration old, DeviceConfiguration next) =>
        old.Factory.GetType() == next.Factory.GetType()
            && old.Descriptor.Driver == next.Descriptor.Driver
            && old.Descriptor.PollInterval == next.Descriptor.PollInterval
            && old.Descriptor.Tags.Select(t => t.Id).SequenceEqual(next.Descriptor.Tags.Select(t => t.Id), StringComparer.Ordinal)
            && ConfigEquality.DeepEquals(old.Settings, next.Settings);
}
