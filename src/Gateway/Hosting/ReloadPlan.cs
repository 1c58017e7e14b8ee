using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// What a reload has to do, computed without side effects from the running and the new configuration: devices
/// to stop for good, to restart with new settings, to start, and sections whose change needs a process restart.
/// </summary>
internal sealed record ReloadPlan(
    IReadOnlyList<string> Removed,
    IReadOnlyList<DeviceConfiguration> Restarted,
    IReadOnlyList<DeviceConfiguration> Added,
    int Unchanged,
    IReadOnlyList<string> NeedsRestart)
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

        // The buffer, the upstream connection, the HTTP listener and the webhook dispatcher stay up across a reload by design; a change
        // there is reported, not applied.
        var needsRestart = new List<string>();
        if (!ConfigEquality.DeepEquals(running.Gateway, next.Gateway))
        {
            needsRestart.Add("gateway");
        }

        if (!ConfigEquality.DeepEquals(running.Buffer, next.Buffer))
        {
            needsRestart.Add("buffer");
        }

        if (!ConfigEquality.DeepEquals(running.Upstream, next.Upstream))
        {
            needsRestart.Add("upstream");
        }

        if (!ConfigEquality.DeepEquals(running.Http, next.Http))
        {
            needsRestart.Add("http");
        }

        if (!ConfigEquality.DeepEquals(running.Webhooks, next.Webhooks))
        {
            needsRestart.Add("webhooks");
        }

        return new ReloadPlan(removed, restarted, added, unchanged, needsRestart);
    }

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
