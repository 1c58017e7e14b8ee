using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>Log messages of the durable buffer. Event ids 3000–3099 belong to this area and never change meaning.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3050, Level = LogLevel.Error,
        Message = "Disk holding {Directory} is full: telemetry is held in memory (the drivers slow down) until there is room again; alarm transitions and audit records still commit into the reserve of {ReserveBytes} bytes (buffer.disk_reserve), and what is buffered keeps being forwarded. Free space on that volume. {Reason}")]
    public static partial void DiskFull(ILogger logger, string directory, long reserveBytes, string reason);

    [LoggerMessage(EventId = 3051, Level = LogLevel.Information,
        Message = "Disk holding {Directory} has room again: the reserve of {ReserveBytes} bytes is back and telemetry is committed again")]
    public static partial void DiskSpaceBack(ILogger logger, string directory, long reserveBytes);

    [LoggerMessage(EventId = 3052, Level = LogLevel.Warning,
        Message = "Released the disk reserve ({ReleasedBytes} bytes, {ReservePath}) for alarm and audit records while the disk is full")]
    public static partial void DiskReserveReleased(ILogger logger, long releasedBytes, string reservePath);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Buffer opened at {DatabasePath}: {TelemetryCount} telemetry, {AlarmCount} alarm and {AuditCount} audit records waiting, last seq {LastSeq}; records use {UsedBytes} of {CapacityBytes} bytes, files take {DiskBytes} of max_disk {MaxDiskBytes} bytes ({WalReserveBytes} reserved for the write-ahead log)")]
    public static partial void Opened(ILogger logger, string databasePath, long telemetryCount, long alarmCount, long auditCount, long lastSeq, long usedBytes, long diskBytes, long maxDiskBytes, long capacityBytes, long walReserveBytes);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Buffer reached max_disk ({MaxDiskBytes} bytes): dropped the {DroppedCount} oldest telemetry records since the last report ({DroppedTotal} since start). Upstream is not draining the buffer; check the MQTT connection or raise buffer.max_disk")]
    public static partial void TelemetryEvicted(ILogger logger, long droppedCount, long droppedTotal, long maxDiskBytes);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Buffer records take {UsedBytes} bytes, over their share ({CapacityBytes} bytes) of max_disk ({MaxDiskBytes} bytes), with no telemetry left to drop: {AlarmCount} alarms and {AuditCount} audit records are kept anyway because they are never dropped. Restore the upstream connection")]
    public static partial void AlarmsExceedCap(ILogger logger, long usedBytes, long capacityBytes, long maxDiskBytes, long alarmCount, long auditCount);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error,
        Message = "Buffer database {DatabasePath} is damaged ({Reason}); moved it aside to {MovedTo} and started a new, empty buffer. seq continues from {NextSeq}, above the high-water mark in {MarkPath}: records and alarm states in the damaged file were not forwarded, so receivers see a gap in seq before {NextSeq}; keep the file for analysis")]
    public static partial void CorruptDatabaseMovedAside(ILogger logger, string databasePath, string movedTo, string reason, long nextSeq, string markPath);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug,
        Message = "Buffer write of {RequestCount} requests failed as a group; retrying each on its own")]
    public static partial void GroupCommitRetry(ILogger logger, int requestCount);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information,
        Message = "Buffer database {DatabasePath} converted to incremental auto-vacuum (one VACUUM, file {FileBytesBefore} -> {FileBytesAfter} bytes): space freed by a drain is now given back to the disk")]
    public static partial void ConvertedToIncrementalVacuum(ILogger logger, string databasePath, long fileBytesBefore, long fileBytesAfter);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information,
        Message = "Buffer database {DatabasePath} was created without auto-vacuum and holds {UsedBytes} bytes of records, more than the {ConversionLimitBytes} bytes it is converted at: left as it is for now. max_disk is still enforced, but the file does not shrink after a drain until a later start converts it (once the buffer has drained)")]
    public static partial void AutoVacuumConversionDeferred(ILogger logger, string databasePath, long usedBytes, long conversionLimitBytes);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information,
        Message = "Buffer gave {ReleasedBytes} bytes of free space back to the disk after a drain; its files now take {DiskBytes} of max_disk {MaxDiskBytes} bytes")]
    public static partial void SpaceReclaimed(ILogger logger, long releasedBytes, long diskBytes, long maxDiskBytes);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning,
        Message = "Buffer maintenance ({Step}) failed: {Reason}. Records are not affected; the files may stay larger than needed until it succeeds (retried after later deletes or at the next start)")]
    public static partial void MaintenanceFailed(ILogger logger, string step, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error,
        Message = "Buffer {Record} at seq {Seq} in {DatabasePath} is damaged and cannot be forwarded ({Problem}); it is skipped and deleted with the records after it")]
    public static partial void DamagedRecordSkipped(ILogger logger, string record, long seq, string databasePath, string problem);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information,
        Message = "Buffer database {DatabasePath} written by an earlier gateway (one row per reading): converting {ReadingCount} readings and {AlarmCount} alarm records to frames, keeping their seqs")]
    public static partial void MigrationStarted(ILogger logger, string databasePath, long readingCount, long alarmCount);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information,
        Message = "Buffer database {DatabasePath} converted: {ReadingCount} readings in {FrameCount} frames and {AlarmCount} alarm records, nothing lost")]
    public static partial void MigrationFinished(ILogger logger, string databasePath, long readingCount, long frameCount, long alarmCount);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Error,
        Message = "Buffer database {DatabasePath}: the earlier gateway's {Record} at seq {Seq} cannot be read ({Problem}); it is dropped, the others are converted")]
    public static partial void MigrationRecordDropped(ILogger logger, string databasePath, string record, long seq, string problem);

    [LoggerMessage(EventId = 3040, Level = LogLevel.Error,
        Message = "Buffer database {DatabasePath} is damaged ({Reason}); moved it aside to {MovedTo} and started a new, empty buffer. No seq high-water mark was found at {MarkPath} (first start of a gateway version that keeps one, or it was deleted), so seq restarts at {NextSeq}: reset receivers that drop by highest seq. Records in the damaged file were not forwarded; keep it for analysis")]
    public static partial void CorruptDatabaseMovedAsideWithoutMark(ILogger logger, string databasePath, string movedTo, string reason, long nextSeq, string markPath);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Warning,
        Message = "Buffer seq high-water mark {MarkPath} is damaged ({Problem}); the buffer database opened and says where seq stands, so the mark was written again from it: seq continues from {NextSeq}")]
    public static partial void SeqMarkRewritten(ILogger logger, string markPath, string problem, long nextSeq);

    [LoggerMessage(EventId = 3042, Level = LogLevel.Warning,
        Message = "Buffer database {DatabasePath} was missing (deleted by hand?) and was created empty; seq continues from {NextSeq}, above the high-water mark in {MarkPath}, so receivers see a gap in seq")]
    public static partial void DatabaseMissingSeqContinues(ILogger logger, string databasePath, long nextSeq, string markPath);
}
