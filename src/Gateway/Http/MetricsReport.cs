using System.Diagnostics;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>The <c>/metrics</c> body. Metric names are a contract for dashboards: add, never rename.</summary>
internal sealed class MetricsReport
{
    private const string Prefix = "smartcity_edge_";

    private readonly PipelineMonitor _monitor;
    private readonly IDurableBuffer _buffer;
    private readonly ForwarderService _forwarder;
    private readonly TimeProvider _time;

    public MetricsReport(PipelineMonitor monitor, IDurableBuffer buffer, ForwarderService forwarder, TimeProvider time)
    {
        _monitor = monitor;
        _buffer = buffer;
        _forwarder = forwarder;
        _time = time;
    }

    public string Render()
    {
        var w = new PrometheusTextWriter();
        DeviceMonitor[] devices = _monitor.Devices.ToArray();

        w.Family(Prefix + "readings_total", "counter", "Readings received from the device's driver (before report-by-exception).");
        foreach (DeviceMonitor d in devices)
        {
            w.Sample(Prefix + "readings_total", d.Readings, ("device", d.DeviceId));
        }

        w.Family(Prefix + "device_up", "gauge", "1 while the device is connected and polling, 0 otherwise.");
        foreach (DeviceMonitor d in devices)
        {
            w.Sample(Prefix + "device_up", d.State == DeviceState.Online ? 1 : 0, ("device", d.DeviceId), ("driver", d.Driver));
        }

        w.Family(Prefix + "device_errors_total", "counter", "Connection and poll failures by kind (timeout, refused, protocol, hardware, internal, ...).");
        foreach (DeviceMonitor d in devices)
        {
            foreach (KeyValuePair<string, long> error in d.ErrorsByKind.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                w.Sample(Prefix + "device_errors_total", error.Value, ("device", d.DeviceId), ("kind", error.Key));
            }
        }

        w.Family(Prefix + "poll_duration_seconds", "histogram", "Time one poll of a device took.");
        foreach (DeviceMonitor d in devices)
        {
            long[] cumulative = d.PollLatency.CumulativeCounts();
            for (int i = 0; i < LatencyHistogram.BucketBounds.Length; i++)
            {
                w.Sample(Prefix + "poll_duration_seconds_bucket", cumulative[i], ("device", d.DeviceId), ("le", LatencyHistogram.BucketBounds[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            }

            w.Sample(Prefix + "poll_duration_seconds_bucket", cumulative[^1], ("device", d.DeviceId), ("le", "+Inf"));
            w.Sample(Prefix + "poll_duration_seconds_sum", d.PollLatency.SumSeconds, ("device", d.DeviceId));
            w.Sample(Prefix + "poll_duration_seconds_count", cumulative[^1], ("device", d.DeviceId));
        }

        // Gauges the drivers report about their connections (e.g. opcua_certificate_days_left), one family per name.
        foreach (IGrouping<string, (string Device, DeviceGauge Gauge)> family in devices
            .SelectMany(d => d.Gauges.Select(g => (Name: g.Key, Sample: (d.DeviceId, g.Value))))
            .GroupBy(g => g.Name, g => g.Sample, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.Family(Prefix + family.Key, "gauge", family.First().Gauge.Help);
            foreach ((string device, DeviceGauge gauge) in family)
            {
                w.Sample(Prefix + family.Key, gauge.Read(), ("device", device));
            }
        }

        w.Family(Prefix + "records_committed_total", "counter", "Records (readings that passed report-by-exception, and alarm transitions) committed to the durable buffer.");
        w.Sample(Prefix + "records_committed_total", _monitor.Committed);
        w.Family(Prefix + "buffer_commit_failures_total", "counter", "Failed buffer commits (disk full, I/O error, locked); the batch is retried.");
        w.Sample(Prefix + "buffer_commit_failures_total", _monitor.CommitFailures);
        w.Family(Prefix + "readings_dropped_total", "counter", "Readings not buffered because commits kept failing (a full disk) and the readings held in memory reached their limit; alarms were still evaluated on them.");
        w.Sample(Prefix + "readings_dropped_total", _monitor.DroppedWhileHeld);

        BufferStatistics stats = _buffer.GetStatistics();
        w.Family(Prefix + "buffer_records", "gauge", "Records waiting in the durable buffer for upstream acknowledgement.");
        w.Sample(Prefix + "buffer_records", stats.TelemetryCount, ("kind", "telemetry"));
        w.Sample(Prefix + "buffer_records", stats.AlarmCount, ("kind", "alarm"));
        w.Sample(Prefix + "buffer_records", stats.AuditCount, ("kind", "audit"));
        w.Family(Prefix + "buffer_bytes", "gauge", "Bytes the waiting records take in the buffer database (pages in use x page size).");
        w.Sample(Prefix + "buffer_bytes", stats.UsedBytes);
        w.Family(Prefix + "buffer_disk_bytes", "gauge", "Bytes the buffer's files take on disk (database incl. free pages + write-ahead log + shm); capped by buffer.max_disk.");
        w.Sample(Prefix + "buffer_disk_bytes", stats.DiskBytes);
        w.Family(Prefix + "buffer_capacity_bytes", "gauge", "Share of buffer.max_disk left for records after the write-ahead log's reserve; eviction starts when buffer_bytes reaches it.");
        w.Sample(Prefix + "buffer_capacity_bytes", stats.CapacityBytes);
        w.Family(Prefix + "buffer_oldest_age_seconds", "gauge", "Age of the oldest waiting record; 0 when the buffer is empty.");
        w.Sample(Prefix + "buffer_oldest_age_seconds", stats.OldestTimestamp is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0);
        w.Family(Prefix + "buffer_evicted_total", "counter", "Telemetry records evicted because max_disk was reached.");
        w.Sample(Prefix + "buffer_evicted_total", stats.DroppedTelemetry);
        w.Family(Prefix + "buffer_disk_full", "gauge", "1 while the volume holding data_dir is full: telemetry waits in memory, alarms and audit records commit into the disk reserve.");
        w.Sample(Prefix + "buffer_disk_full", stats.DiskFull ? 1 : 0);
        w.Family(Prefix + "buffer_disk_reserve_bytes", "gauge", "Bytes the disk reserve for alarms holds (buffer.disk_reserve); 0 while released because the disk is full.");
        w.Sample(Prefix + "buffer_disk_reserve_bytes", stats.DiskReserveBytes);

        w.Family(Prefix + "upstream_connected", "gauge", "1 while the upstream publisher is connected.");
        foreach (IUpstreamConnection publisher in _forwarder.Publishers)
        {
            w.Sample(Prefix + "upstream_connected", publisher.IsConnected ? 1 : 0, ("publisher", publisher.Name));
        }

        w.Family(Prefix + "upstream_messages_acked_total", "counter", "Upstream messages acknowledged by every publisher (MQTT QoS 1: PUBACK received).");
        w.Sample(Prefix + "upstream_messages_acked_total", _forwarder.PublishedMessages);
        w.Family(Prefix + "upstream_records_acked_total", "counter", "Records carried by acknowledged upstream messages.");
        w.Sample(Prefix + "upstream_records_acked_total", _forwarder.AcknowledgedReadings, ("kind", "telemetry"));
        w.Sample(Prefix + "upstream_records_acked_total", _forwarder.AcknowledgedAlarms, ("kind", "alarm"));
        w.Sample(Prefix + "upstream_records_acked_total", _forwarder.AcknowledgedAudit, ("kind", "audit"));

        w.Family(Prefix + "alarms_active", "gauge", "Alarms raised now (active or acknowledged: the condition is present), by severity.");
        ActiveAlarm[] alarms = _monitor.ActiveAlarms.ToArray();
        foreach (AlarmSeverity severity in Enum.GetValues<AlarmSeverity>())
        {
            w.Sample(Prefix + "alarms_active", alarms.Count(a => a.Severity == severity), ("severity", severity.ToString().ToLowerInvariant()));
        }

        w.Family(Prefix + "config_reloads_total", "counter", "Configuration reloads, by result.");
        w.Sample(Prefix + "config_reloads_total", _monitor.Reloads, ("result", "applied"));
        w.Sample(Prefix + "config_reloads_total", _monitor.ReloadFailures, ("result", "rejected"));

        using Process self = Process.GetCurrentProcess();
        w.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        w.Sample("process_resident_memory_bytes", self.WorkingSet64);
        w.Family("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.");
        w.Sample("process_cpu_seconds_total", self.TotalProcessorTime.TotalSeconds);
        w.Family("dotnet_gc_heap_bytes", "gauge", "Bytes in the managed heap.");
        w.Sample("dotnet_gc_heap_bytes", GC.GetTotalMemory(forceFullCollection: false));

        // Where resident memory goes (a slow creep is told apart from a level): what the GC holds committed, how often
        // it collected, and what SQLite's allocator holds (its page caches; malloc memory the GC never sees).
        w.Family("dotnet_gc_committed_bytes", "gauge", "Bytes the garbage collector has committed (managed heap and its free space).");
        w.Sample("dotnet_gc_committed_bytes", GC.GetGCMemoryInfo().TotalCommittedBytes);
        w.Family("dotnet_gc_collections_total", "counter", "Garbage collections, by generation.");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            w.Sample("dotnet_gc_collections_total", GC.CollectionCount(generation), ("generation", generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        w.Family(Prefix + "sqlite_memory_bytes", "gauge", "Bytes SQLite has allocated (page caches and statements of every database).");
        w.Sample(Prefix + "sqlite_memory_bytes", SQLitePCL.raw.sqlite3_memory_used());
        return w.ToString();
    }
}
