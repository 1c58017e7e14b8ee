using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>Every log line of the SNMP stack, driver and trap listener. Event ids 3300–3399 are SNMP's and stay stable.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "SNMP device {DeviceId}: {Endpoint} answers (SNMP{Version}); {TagCount} tags, {Requests} Get requests and {Walks} walks per poll")]
    public static partial void Connected(ILogger logger, string deviceId, string endpoint, string version, int tagCount, int requests, int walks);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "SNMP device {DeviceId}: the agent answered tooBig; asking for at most {BatchSize} OIDs per request from now on")]
    public static partial void BatchReduced(ILogger logger, string deviceId, int batchSize);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Warning, Message = "SNMP device {DeviceId}: tag {TagId} is bad: {Reason} (OID {Oid})")]
    public static partial void TagFailed(ILogger logger, string deviceId, string tagId, string reason, string oid);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Information, Message = "SNMP device {DeviceId}: tag {TagId} reads again")]
    public static partial void TagRecovered(ILogger logger, string deviceId, string tagId);

    [LoggerMessage(EventId = 3310, Level = LogLevel.Information, Message = "SNMP trap listener on {Endpoint} (engine ID {EngineId}, boots {Boots})")]
    public static partial void ListenerStarted(ILogger logger, string endpoint, string engineId, int boots);

    [LoggerMessage(EventId = 3311, Level = LogLevel.Warning, Message = "SNMP trap listener on {Endpoint} takes traps from this machine only; set snmp_traps.listen to 0.0.0.0:162 (or one interface's address) to receive them from equipment")]
    public static partial void ListenerLoopbackOnly(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3312, Level = LogLevel.Warning, Message = "SNMP trap from {Source} dropped: {Reason} (counted; logged once per source and reason)")]
    public static partial void TrapRejected(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 3313, Level = LogLevel.Information, Message = "SNMP device {DeviceId}: trap {TrapOid} from {Source}{Inform}")]
    public static partial void TrapReceived(ILogger logger, string deviceId, string trapOid, string source, string inform);

    [LoggerMessage(EventId = 3314, Level = LogLevel.Warning, Message = "SNMP trap listener: receiving failed ({Reason}); going on")]
    public static partial void ListenerError(ILogger logger, string reason);

    [LoggerMessage(EventId = 3315, Level = LogLevel.Warning, Message = "SNMP trap listener: cannot keep the engine state in {Path} ({Reason}); boots restart at 1")]
    public static partial void EngineStateNotSaved(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3316, Level = LogLevel.Error, Message = "SNMP trap listener not running: {Reason}; trying again in {Seconds} s (devices keep polling)")]
    public static partial void ListenerFailed(ILogger logger, string reason, double seconds);
}
