namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>A snapshot of the buffer for metrics, the status page and readiness.</summary>
/// <param name="TelemetryCount">Telemetry records waiting.</param>
/// <param name="AlarmCount">Alarm records waiting.</param>
/// <param name="UsedBytes">Bytes in use by the database (pages in use × page size).</param>
/// <param name="OldestTimestamp">Commit time of the oldest waiting record, if any.</param>
/// <param name="DroppedTelemetry">Telemetry records evicted because <c>max_disk</c> was reached, since start.</param>
/// <param name="LastSeq">The highest seq committed so far.</param>
public sealed record BufferStatistics(
    long TelemetryCount,
    long AlarmCount,
    long UsedBytes,
    DateTimeOffset? OldestTimestamp,
    long DroppedTelemetry,
    long LastSeq);
