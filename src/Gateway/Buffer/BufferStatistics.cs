namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>A snapshot of the buffer for metrics, the status page and readiness.</summary>
/// <param name="TelemetryCount">Readings waiting (in <see cref="TelemetryFrames"/> frames).</param>
/// <param name="AlarmCount">Alarm records waiting.</param>
/// <param name="UsedBytes">Bytes the records take in the database (pages in use × page size); free pages not counted.</param>
/// <param name="OldestTimestamp">Commit time of the oldest waiting record, if any.</param>
/// <param name="DroppedTelemetry">Readings evicted because <c>max_disk</c> was reached, since start.</param>
/// <param name="LastSeq">The highest seq committed so far.</param>
/// <param name="DiskBytes">
/// Bytes the buffer's files take on disk: database file (free pages included) + write-ahead log + shared-memory
/// index, as measured after the last commit or maintenance step. This is what <c>max_disk</c> caps.
/// </param>
/// <param name="CapacityBytes">
/// The share of <c>max_disk</c> left for records once the write-ahead log's reserve is set aside: eviction of the
/// oldest telemetry starts when <paramref name="UsedBytes"/> reaches it.
/// </param>
internal sealed record BufferStatistics(
    long TelemetryCount,
    long AlarmCount,
    long UsedBytes,
    DateTimeOffset? OldestTimestamp,
    long DroppedTelemetry,
    long LastSeq,
    long DiskBytes,
    long CapacityBytes)
{
    /// <summary>Frames waiting.</summary>
    public long TelemetryFrames { get; init; }

    /// <summary>The highest seq of a telemetry record appended so far (0 when none), deleted or not.</summary>
    public long LastTelemetrySeq { get; init; }

    /// <summary>The highest seq of an alarm record appended so far (0 when none), deleted or not.</summary>
    public long LastAlarmSeq { get; init; }

    /// <summary>Audit records (operators' write attempts) waiting.</summary>
    public long AuditCount { get; init; }

    /// <summary>The highest seq of an audit record appended so far (0 when none), deleted or not.</summary>
    public long LastAuditSeq { get; init; }

    /// <summary>
    /// The volume holding the buffer was found full and telemetry has not committed since (alarm and audit records still
    /// do, into the reserve).
    /// </summary>
    public bool DiskFull { get; init; }

    /// <summary>Bytes the disk reserve holds now (<c>buffer.disk_reserve</c>; 0 while released or turned off).</summary>
    public long DiskReserveBytes { get; init; }

    /// <summary>The highest evicted seq whose range some upstream has not yet sent a notice of (0 when none).</summary>
    public long LastEvictedSeq { get; init; }

    /// <summary>The highest seq of <paramref name="kind"/> appended so far.</summary>
    public long LastSeqOf(RecordKind kind) => kind switch
    {
        RecordKind.Alarm => LastAlarmSeq,
        RecordKind.Audit => LastAuditSeq,
        _ => LastTelemetrySeq,
    };
}
