using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>Log messages of the device supervisors and the processing stage. Event ids 1000–1099 are stable.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(1000, LogLevel.Information, "Device {DeviceId} ({Driver}) connected")]
    public static partial void DeviceConnected(ILogger logger, string deviceId, string driver);

    [LoggerMessage(1001, LogLevel.Warning, "Device {DeviceId} is offline: {Reason}. Retrying in {RetrySeconds:0.0}s; further failures are summarised once a minute")]
    public static partial void DeviceOffline(ILogger logger, string deviceId, string reason, double retrySeconds);

    [LoggerMessage(1002, LogLevel.Warning, "Device {DeviceId} still offline: {Failures} failed attempts in the last minute, last: {Reason}")]
    public static partial void DeviceStillOffline(ILogger logger, string deviceId, int failures, string reason);

    [LoggerMessage(1003, LogLevel.Information, "Device {DeviceId} is back online after {Failures} failed attempts")]
    public static partial void DeviceRecovered(ILogger logger, string deviceId, int failures);

    [LoggerMessage(1004, LogLevel.Error, "Device {DeviceId}: the {Driver} driver failed unexpectedly; the device is restarted with backoff")]
    public static partial void DriverBug(ILogger logger, Exception exception, string deviceId, string driver);

    [LoggerMessage(1005, LogLevel.Information, "Device {DeviceId}: the driver reopened a lost connection between two polls; treated as a reconnect (alarm outputs are driven again)")]
    public static partial void DeviceReconnected(ILogger logger, string deviceId);

    [LoggerMessage(1010, LogLevel.Error, "Committing {Count} records to the buffer failed; retrying in {RetrySeconds}s (readings are held in memory meanwhile)")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int count, double retrySeconds);

    [LoggerMessage(1012, LogLevel.Warning, "The buffer has not been able to commit for a while and {Held} readings are held in memory: telemetry of newer polls is dropped (counted in smartcity_edge_readings_dropped_total) until a commit succeeds; alarms are still evaluated on every poll and commit into the disk reserve")]
    public static partial void TelemetryDroppedWhileHeld(ILogger logger, int held);

    [LoggerMessage(1011, LogLevel.Information, "Pipeline drained: {Count} readings committed during shutdown")]
    public static partial void Drained(ILogger logger, long count);
}
