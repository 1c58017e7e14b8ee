using System.Globalization;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Upstream.Json;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>The readable form of a <c>smartcity-edge test</c> run: a table per device, the alarm rules, a summary line.</summary>
internal static class TestReportText
{
    public static void Write(TextWriter writer, IReadOnlyList<DeviceProbeResult> results, IReadOnlyList<AlarmPreviewEntry> alarms, IReadOnlyList<UpstreamCheck>? upstream = null, string? testClientId = null)
    {
        foreach (DeviceProbeResult result in results)
        {
            WriteDevice(writer, result);
            writer.WriteLine();
        }

        if (alarms.Count > 0)
        {
            writer.WriteLine("alarm rules on these values (condition only: no delay, latch or action applied; nothing is written):");
            var table = new TextTable("ALARM", "STATE", "SEVERITY", "TAG", "VALUE", "DETAIL");
            foreach (AlarmPreviewEntry entry in alarms)
            {
                table.Add(
                    entry.Alarm.Id,
                    entry.State.ToString().ToLowerInvariant(),
                    entry.Alarm.Severity.ToString().ToLowerInvariant(),
                    $"{entry.Alarm.DeviceId}/{entry.Alarm.TagId}",
                    entry.Value.IsNone ? "-" : entry.Value.ToString(),
                    Detail(entry));
            }

            table.Write(writer, "  ");
            writer.WriteLine();
        }

        if (upstream is { Count: > 0 })
        {
            writer.WriteLine($"upstream (nothing is published{(testClientId is null ? string.Empty : $"; the broker sees client id {testClientId}")}):");
            foreach (UpstreamCheck check in upstream)
            {
                string elapsed = $"{check.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
                writer.WriteLine(check.Ok
                    ? $"  {check.Kind} {check.Target}: ok in {elapsed}: {check.Detail}"
                    : $"  {check.Kind} {check.Target}: FAILED after {elapsed}");
                if (!check.Ok)
                {
                    writer.WriteLine("    " + check.Detail);
                }
            }

            writer.WriteLine();
        }

        int answered = results.Count(r => r.Answered);
        int tags = results.Sum(r => r.Device.Tags.Count);
        int good = results.Sum(r => r.Answered ? r.Readings.Count(x => x is { Quality: Quality.Good }) : 0);
        int active = alarms.Count(a => a.State == AlarmPreviewState.Active);
        writer.WriteLine(
            $"{Count(results.Count, "device")} tested: {answered} answered, {results.Count - answered} failed; {good} of {Count(tags, "tag")} good" +
            (alarms.Count > 0 ? $"; {active} of {Count(alarms.Count, "alarm rule")} active" : string.Empty) +
            (upstream is { Count: > 0 } ? $"; upstream {upstream.Count(u => u.Ok)} of {upstream.Count} ok" : string.Empty));
    }

    private static void WriteDevice(TextWriter writer, DeviceProbeResult result)
    {
        DeviceConfiguration device = result.Device;
        string elapsed = $"{result.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
        if (!result.Answered)
        {
            writer.WriteLine($"{device.Id} ({device.Descriptor.Driver}): FAILED after {elapsed} [{result.ErrorKind}]");
            writer.WriteLine("  " + result.Error);
            if (result.Readings.All(r => r is null))
            {
                return;
            }

            writer.WriteLine("  readings that arrived before the failure:");
        }
        else
        {
            writer.WriteLine($"{device.Id} ({device.Descriptor.Driver}): answered in {elapsed}");
        }

        var table = new TextTable("TAG", "VALUE", "UNIT", "QUALITY", "REASON", "SOURCE TIME");
        for (int i = 0; i < device.Tags.Count; i++)
        {
            TagConfiguration tag = device.Tags[i];
            if (result.Readings[i] is { } reading)
            {
                table.Add(
                    tag.Id,
                    reading.Value.IsNone ? "-" : reading.Value.ToString(),
                    tag.Unit ?? string.Empty,
                    reading.Quality.ToString().ToLowerInvariant(),
                    reading.Reason ?? string.Empty,
                    JsonContract.FormatTimestamp(reading.SourceTimestamp));
            }
            else if (result.Answered)
            {
                table.Add(tag.Id, "-", tag.Unit ?? string.Empty, "none", result.NoReadingReason, string.Empty);
            }
        }

        table.Write(writer, "  ");

        // What to check, from the driver (the same text it logs): e.g. the Modbus address sent and that it is 0-based.
        for (int i = 0; i < device.Tags.Count; i++)
        {
            if (result.Readings[i] is { Quality: not Quality.Good, Reason: { } reason } && TagHint(device, i, reason) is { } hint)
            {
                writer.WriteLine($"  {device.Tags[i].Id}: {hint}");
            }
        }
    }

    /// <summary>The driver's hint for a tag's reason, or null (<see cref="IDriverFactory.Explain"/>).</summary>
    public static string? TagHint(DeviceConfiguration device, int tagIndex, string reason) =>
        device.Factory.Explain(device.Descriptor, device.Settings, tagIndex, reason);

    private static string Detail(AlarmPreviewEntry entry)
    {
        if (entry.State != AlarmPreviewState.Active)
        {
            return entry.Detail ?? string.Empty;
        }

        AlarmDefinition alarm = entry.Alarm;
        string text = entry.Detail ?? string.Empty;
        if (alarm.Delay > TimeSpan.Zero)
        {
            text += $" (raised after its delay of {DurationParser.Format(alarm.Delay)})";
        }

        if (alarm.Actions.Count > 0)
        {
            text += "; actions not run: " + string.Join(", ", alarm.Actions.Select(a => $"{a.DeviceId}/{a.TagId} = {a.Value}"));
        }

        return text;
    }

    private static string Count(int count, string noun) => Plural.Of(count, noun);
}
