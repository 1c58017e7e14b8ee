using System.Buffers;
using System.Text;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Upstream.Json;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// The <c>--json</c> form of a <c>smartcity-edge test</c> run, for scripts. Values and timestamps are written exactly as
/// the upstream contract writes them (<see cref="JsonContract"/>). Written with <see cref="Utf8JsonWriter"/>: the
/// reflection-based serializer is not available in the native AOT build.
/// </summary>
/// <remarks>
/// <code>
/// { "config": "...", "ok": false,
///   "devices": [ { "id", "driver", "answered", "error", "error_kind", "elapsed_ms",
///                  "tags": [ { "id", "value", "unit", "quality", "reason", "hint" (when the driver has one), "source_time" } ] } ],
///   "alarms":  [ { "id", "device", "tag", "severity", "state", "value", "detail" } ],
///   "upstream": [ { "kind": "mqtt" | "webhook", "target", "ok", "detail", "elapsed_ms" } ] }   (absent with --no-upstream)
/// </code>
/// A tag that never reported has <c>quality: "none"</c>; a failed device lists only the tags that reported before the failure.
/// </remarks>
internal static class TestReportJson
{
    public static void Write(TextWriter writer, string configFile, bool ok, IReadOnlyList<DeviceProbeResult> results, IReadOnlyList<AlarmPreviewEntry> alarms, IReadOnlyList<UpstreamCheck>? upstream = null)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("config"u8, configFile);
            json.WriteBoolean("ok"u8, ok);
            json.WriteStartArray("devices"u8);
            foreach (DeviceProbeResult result in results)
            {
                WriteDevice(json, result);
            }

            json.WriteEndArray();
            json.WriteStartArray("alarms"u8);
            foreach (AlarmPreviewEntry entry in alarms)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, entry.Alarm.Id);
                json.WriteString("device"u8, entry.Alarm.DeviceId);
                json.WriteString("tag"u8, entry.Alarm.TagId);
                json.WriteString("severity"u8, entry.Alarm.Severity.ToString().ToLowerInvariant());
                json.WriteString("state"u8, entry.State.ToString().ToLowerInvariant());
                JsonContract.WriteValue(json, "value"u8, entry.Value);
                json.WriteString("detail"u8, entry.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (upstream is not null)
            {
                json.WriteStartArray("upstream"u8);
                foreach (UpstreamCheck check in upstream)
                {
                    json.WriteStartObject();
                    json.WriteString("kind"u8, check.Kind);
                    json.WriteString("target"u8, check.Target);
                    json.WriteBoolean("ok"u8, check.Ok);
                    json.WriteString("detail"u8, check.Detail);
                    json.WriteNumber("elapsed_ms"u8, Math.Round(check.Elapsed.TotalMilliseconds, 1));
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void WriteDevice(Utf8JsonWriter json, DeviceProbeResult result)
    {
        DeviceConfiguration device = result.Device;
        json.WriteStartObject();
        json.WriteString("id"u8, device.Id);
        json.WriteString("driver"u8, device.Descriptor.Driver);
        json.WriteBoolean("answered"u8, result.Answered);
        json.WriteString("error"u8, result.Error);
        json.WriteString("error_kind"u8, result.ErrorKind);
        json.WriteNumber("elapsed_ms"u8, Math.Round(result.Elapsed.TotalMilliseconds, 1));
        json.WriteStartArray("tags"u8);
        for (int i = 0; i < device.Tags.Count; i++)
        {
            TagConfiguration tag = device.Tags[i];
            TagReading? reading = result.Readings[i];
            if (reading is null && !result.Answered)
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteString("id"u8, tag.Id);
            if (reading is { } r)
            {
                JsonContract.WriteValue(json, "value"u8, r.Value);
                json.WriteString("unit"u8, tag.Unit);
                json.WriteString("quality"u8, r.Quality.ToString().ToLowerInvariant());
                json.WriteString("reason"u8, r.Reason);
                if (r.Quality != Quality.Good && r.Reason is { } reason && TestReportText.TagHint(device, i, reason) is { } hint)
                {
                    json.WriteString("hint"u8, hint);
                }

                JsonContract.WriteTimestamp(json, "source_time"u8, r.SourceTimestamp);
            }
            else
            {
                json.WriteNull("value"u8);
                json.WriteString("unit"u8, tag.Unit);
                json.WriteString("quality"u8, "none");
                json.WriteString("reason"u8, result.NoReadingReason);
                json.WriteNull("source_time"u8);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
