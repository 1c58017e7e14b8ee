using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Every log line of the Modbus stack and driver. Event ids 3100–3199 are Modbus's and stay stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Modbus link to {Endpoint} open")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Modbus link to {Endpoint} closed ({Kind}): {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string endpoint, string kind, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Modbus link to {Endpoint} closed: no device uses it any more")]
    public static partial void ConnectionReleased(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Modbus {Endpoint}: skipped a late reply (transaction {TransactionId}, unit {UnitId}) whose request had timed out")]
    public static partial void StaleReply(ILogger logger, string endpoint, ushort transactionId, byte unitId);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Modbus device {DeviceId}: {TagCount} tags read with {RequestCount} requests per poll")]
    public static partial void Planned(ILogger logger, string deviceId, int tagCount, int requestCount);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Modbus device {DeviceId}: tag {TagId} is bad: {Reason}; {Hint}")]
    public static partial void TagFailed(ILogger logger, string deviceId, string tagId, string reason, string hint);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Information, Message = "Modbus device {DeviceId}: tag {TagId} reads again")]
    public static partial void TagRecovered(ILogger logger, string deviceId, string tagId);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Information, Message = "Modbus device {DeviceId}: {Table} {Start}..{End} answered IllegalDataAddress (02); splitting it into {Parts} requests, kept for later polls")]
    public static partial void BlockSplit(ILogger logger, string deviceId, string table, int start, int end, int parts);

    [LoggerMessage(EventId = 3114, Level = LogLevel.Warning, Message = "Modbus device {DeviceId} failed ({Kind}): {Reason} ({Suppressed} similar failures not logged since the last line)")]
    public static partial void DeviceFailed(ILogger logger, string deviceId, string kind, string reason, int suppressed);

    [LoggerMessage(EventId = 3115, Level = LogLevel.Warning, Message = "Modbus device {DeviceId}: write to {TagId} failed: {Reason}")]
    public static partial void WriteFailed(ILogger logger, string deviceId, string tagId, string reason);
}
