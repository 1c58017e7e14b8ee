using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>Log messages of the durable buffer. Event ids 3000–3099 belong to this area and never change meaning.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Buffer opened at {DatabasePath}: {TelemetryCount} telemetry and {AlarmCount} alarm records waiting, last seq {LastSeq}, {UsedBytes} of {MaxDiskBytes} bytes used")]
    public static partial void Opened(ILogger logger, string databasePath, long telemetryCount, long alarmCount, long lastSeq, long usedBytes, long maxDiskBytes);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Buffer reached max_disk ({MaxDiskBytes} bytes): dropped the {DroppedCount} oldest telemetry records since the last report ({DroppedTotal} since start). Upstream is not draining the buffer; check the MQTT connection or raise buffer.max_disk")]
    public static partial void TelemetryEvicted(ILogger logger, long droppedCount, long droppedTotal, long maxDiskBytes);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Buffer holds {UsedBytes} bytes, over max_disk ({MaxDiskBytes} bytes), with no telemetry left to drop: {AlarmCount} alarms are kept anyway because alarms are never dropped. Restore the upstream connection")]
    public static partial void AlarmsExceedCap(ILogger logger, long usedBytes, long maxDiskBytes, long alarmCount);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Error,
        Message = "Buffer database {DatabasePath} is damaged ({Reason}); moved it aside to {MovedTo} and started a new, empty buffer. Records in the damaged file were not forwarded; keep it for analysis")]
    public static partial void CorruptDatabaseMovedAside(ILogger logger, string databasePath, string movedTo, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug,
        Message = "Buffer write of {RequestCount} requests failed as a group; retrying each on its own")]
    public static partial void GroupCommitRetry(ILogger logger, int requestCount);
}
