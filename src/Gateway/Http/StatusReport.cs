using System.Buffers;
using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>The <c>/api/status</c> JSON the status page renders: devices with their tags, active alarms, the latest operator writes, buffer and upstream.</summary>
internal sealed class StatusReport
{
    private readonly PipelineMonitor _monitor;
    private readonly IDurableBuffer _buffer;
    private readonly ForwarderService _forwarder;
    private readonly ActiveConfiguration _configuration;
    private readonly ReadinessCheck _readiness;
    private readonly TimeProvider _time;
    private readonly AuditTrail? _audit;

    public StatusReport(PipelineMonitor monitor, IDurableBuffer buffer, ForwarderService forwarder, ActiveConfiguration configuration, ReadinessCheck readiness, TimeProvider time, AuditTrail? audit = null)
    {
        _audit = audit;
        _monitor = monitor;
        _buffer = buffer;
        _forwarder = forwarder;
        _configuration = configuration;
        _readiness = readiness;
        _time = time;
    }

    public byte[] RenderJson()
    {
        var output = new ArrayBufferWriter<byte>(8192);

        // The default encoder escapes <, > and &, so this JSON can also sit inside the page's <script> element.
        using (var json = new Utf8JsonWriter(output))
        {
            Write(json);
        }

        return output.WrittenSpan.ToArray();
    }

    private void Write(Utf8JsonWriter json)
    {
        GatewayConfiguration configuration = _configuration.Current;
        DateTimeOffset now = _time.GetUtcNow();
        Dictionary<string, DeviceMonitor> devices = _monitor.Devices.ToDictionary(d => d.DeviceId, StringComparer.Ordinal);

        json.WriteStartObject();
        json.WriteString("gateway", configuration.Gateway.Id);
        json.WriteString("site", configuration.Gateway.Site);
        json.WriteString("now", Timestamp(now));
        json.WriteNumber("uptime_s", Math.Round((now - _monitor.StartedAt).TotalSeconds));
        Readiness readiness = _readiness.Evaluate();
        json.WriteBoolean("ready", readiness.Level == ReadinessLevel.Ready);
        json.WriteString("state", readiness.State);
        json.WriteString("summary", readiness.Summary);
        json.WriteStartArray("problems");
        foreach (ReadinessProblem problem in readiness.Problems)
        {
            json.WriteStringValue(problem.Text);
        }

        json.WriteEndArray();

        json.WriteStartArray("devices");
        foreach (DeviceConfiguration device in configuration.Devices)
        {
            devices.TryGetValue(device.Id, out DeviceMonitor? monitor);
            json.WriteStartObject();
            json.WriteString("id", device.Id);
            json.WriteString("driver", device.Descriptor.Driver);
            json.WriteString("state", (monitor?.State.ToString() ?? "Stopped").ToLowerInvariant());
            json.WriteString("last_error", monitor?.LastError);
            json.WriteNumber("readings", monitor?.Readings ?? 0);
            json.WriteStartArray("tags");
            TagReading?[]? latest = monitor?.LatestReadings(device.Table);
            for (int i = 0; i < device.Tags.Count; i++)
            {
                TagConfiguration tag = device.Tags[i];
                json.WriteStartObject();
                json.WriteString("id", tag.Id);
                json.WriteString("unit", tag.Unit);
                if (tag.Write is not null)
                {
                    json.WriteBoolean("writable", true);
                }

                if (latest?[i] is { } reading)
                {
                    WriteValue(json, "value", reading.Value);
                    json.WriteString("quality", reading.Quality.ToString().ToLowerInvariant());
                    json.WriteString("reason", reading.Reason);
                    json.WriteString("ts", Timestamp(reading.SourceTimestamp));
                }
                else
                {
                    json.WriteNull("value");
                    json.WriteString("quality", "none");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("alarms");
        foreach (ActiveAlarm alarm in _monitor.ActiveAlarms)
        {
            json.WriteStartObject();
            json.WriteString("id", alarm.AlarmId);
            json.WriteString("severity", alarm.Severity.ToString().ToLowerInvariant());
            json.WriteString("state", alarm.State.ToWire());
            json.WriteString("device", alarm.DeviceId);
            json.WriteString("tag", alarm.TagId);
            json.WriteString("message", alarm.Message);
            WriteValue(json, "value", alarm.Value);
            json.WriteString("since", Timestamp(alarm.Since));
            if (alarm.Occurrence?.ActivatedAt is { } activated)
            {
                json.WriteString("active_since", Timestamp(activated)); // the first activation, kept through the ack
            }

            if (alarm.Occurrence?.Seq is > 0 and long occurrence)
            {
                json.WriteNumber("occurrence", occurrence); // what `smartcity-edge command ack --occurrence` needs
            }

            if (alarm.AcknowledgedBy is { } by)
            {
                json.WriteStartObject("ack");
                json.WriteString("by", by);
                if (alarm.AcknowledgedAt is { } at)
                {
                    json.WriteString("at", Timestamp(at));
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();

        // The latest operator writes, newest first: who wrote what, and how it ended (refusals included).
        json.WriteStartArray("audit");
        foreach (AuditRecord record in _audit?.Recent() ?? [])
        {
            AuditJson.Write(json, record);
        }

        json.WriteEndArray();

        BufferStatistics stats = _buffer.GetStatistics();
        json.WriteStartObject("buffer");
        json.WriteNumber("telemetry", stats.TelemetryCount);
        json.WriteNumber("alarms", stats.AlarmCount);
        json.WriteNumber("audit", stats.AuditCount);
        json.WriteNumber("used_bytes", stats.UsedBytes);
        json.WriteNumber("capacity_bytes", stats.CapacityBytes);
        json.WriteNumber("disk_bytes", stats.DiskBytes);
        json.WriteNumber("max_bytes", configuration.Buffer.MaxDiskBytes);
        // 100 % is where eviction starts: the records' share of max_disk, not max_disk itself (the WAL has its reserve).
        json.WriteNumber("fill_percent", Math.Round(100.0 * stats.UsedBytes / Math.Max(1, stats.CapacityBytes), 2));
        json.WriteNumber("oldest_age_s", stats.OldestTimestamp is { } oldest ? Math.Round(Math.Max(0, (now - oldest).TotalSeconds), 1) : 0);
        json.WriteNumber("evicted", stats.DroppedTelemetry);
        json.WriteEndObject();

        json.WriteStartObject("upstream");
        json.WriteBoolean("connected", _forwarder.Connected);
        json.WriteNumber("messages_acked", _forwarder.PublishedMessages);
        json.WriteStartArray("publishers");
        foreach (IUpstreamConnection publisher in _forwarder.Publishers)
        {
            json.WriteStartObject();
            json.WriteString("name", publisher.Name);
            json.WriteBoolean("connected", publisher.IsConnected);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, string name, TagValue value)
    {
        switch (value.Kind)
        {
            case TagValueKind.None:
                json.WriteNull(name);
                break;
            case TagValueKind.Boolean:
                json.WriteBoolean(name, value.AsBoolean());
                break;
            case TagValueKind.String:
                json.WriteString(name, value.AsString());
                break;
            case TagValueKind.Double when !double.IsFinite(value.AsDouble()):
            case TagValueKind.Float32 when !float.IsFinite(value.AsSingle()):
                json.WriteString(name, value.ToString());
                break;
            case TagValueKind.Float32:
                json.WriteNumber(name, value.AsSingle());
                break;
            default:
                json.WriteNumber(name, value.AsDouble());
                break;
        }
    }

    private static string Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
