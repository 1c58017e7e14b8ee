using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>Log messages of the alarm engine, local actions, webhooks and commands. Event ids 1300–1399 are stable.</summary>
internal static partial class AlarmLog
{
    [LoggerMessage(1300, LogLevel.Information, "Alarm {AlarmId} {State} ({Severity}): {Message}")]
    public static partial void Transition(ILogger logger, string alarmId, string state, string severity, string message);

    [LoggerMessage(1301, LogLevel.Warning, "Could not commit {Count} alarm transitions; retrying in {RetrySeconds:0.0}s")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int count, double retrySeconds);

    [LoggerMessage(1302, LogLevel.Information, "Restored {Count} alarm states from {Path} ({Raised} raised)")]
    public static partial void Restored(ILogger logger, int count, string path, int raised);

    [LoggerMessage(1303, LogLevel.Warning, "Alarm {AlarmId}: could not set {DeviceId}/{TagId} (attempt {Attempt}): {Reason}")]
    public static partial void ActionFailed(ILogger logger, string alarmId, string deviceId, string tagId, int attempt, string reason);

    [LoggerMessage(1304, LogLevel.Information, "Alarm {AlarmId}: set {DeviceId}/{TagId} to {Value}")]
    public static partial void ActionDone(ILogger logger, string alarmId, string deviceId, string tagId, string value);

    [LoggerMessage(1305, LogLevel.Warning, "Webhook {Url}: delivery failed ({Reason}); {Waiting} alarms waiting, retrying in {RetrySeconds:0.0}s")]
    public static partial void WebhookFailed(ILogger logger, string url, string reason, long waiting, double retrySeconds);

    [LoggerMessage(1306, LogLevel.Information, "Webhook {Url} reachable again")]
    public static partial void WebhookRecovered(ILogger logger, string url);

    [LoggerMessage(1307, LogLevel.Warning, "Dropped {Count} queued webhook deliveries for URLs no longer configured")]
    public static partial void WebhookOutboxDropped(ILogger logger, int count);

    [LoggerMessage(1308, LogLevel.Information, "Command {Command} for alarm {AlarmId} by {By}: {Outcome}")]
    public static partial void Command(ILogger logger, string command, string alarmId, string by, string outcome);

    [LoggerMessage(1310, LogLevel.Warning, "Could not answer a command on {Topic}: {Reason}")]
    public static partial void CommandReplyFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(1312, LogLevel.Information, "Alarm {AlarmId} retired (was {Previous}): removed from configuration; its retained state is deleted")]
    public static partial void Retired(ILogger logger, string alarmId, string previous);

    [LoggerMessage(1311, LogLevel.Error, "Webhook {Url} delivery loop failed unexpectedly; retrying in {RetrySeconds:0.0}s")]
    public static partial void WebhookBug(ILogger logger, Exception exception, string url, double retrySeconds);

    [LoggerMessage(1313, LogLevel.Information, "Webhook {Url} added by a reload: it receives alarm transitions from now on")]
    public static partial void WebhookAdded(ILogger logger, string url);

    [LoggerMessage(1314, LogLevel.Warning, "Webhook {Url} removed by a reload: dropped {Count} queued deliveries")]
    public static partial void WebhookRemoved(ILogger logger, string url, int count);

    [LoggerMessage(1315, LogLevel.Information, "Webhook {Url} changed by a reload: its new settings (secret, min_severity, timeout, max_retry_interval, ca_file, client_cert) apply from the next delivery on, queued ones included")]
    public static partial void WebhookChanged(ILogger logger, string url);

    [LoggerMessage(1340, LogLevel.Error, "Alarm states were kept in the damaged buffer database, now at {MovedTo}: alarms are re-evaluated from fresh readings. An alarm still tripping is raised again as a new occurrence (active, unacknowledged: acknowledge it again); one that cleared while the gateway was down is not announced again and may keep its last retained state on the broker until it next trips and clears")]
    public static partial void StatesLostWithDamagedBuffer(ILogger logger, string movedTo);

    [LoggerMessage(1341, LogLevel.Information, "Imported {StateCount} alarm states and {DeliveryCount} queued webhook deliveries from {LegacyPath} into {DatabasePath} (alarm state now commits with the buffer); the old file is kept as {KeptAs}")]
    public static partial void LegacyImported(ILogger logger, int stateCount, int deliveryCount, string legacyPath, string databasePath, string keptAs);

    [LoggerMessage(1342, LogLevel.Error, "Alarm state database {LegacyPath} is damaged ({Reason}) and could not be imported; moved it aside to {MovedTo}. Alarms are re-evaluated from fresh readings: an alarm still tripping is raised again as a new occurrence (active, unacknowledged: acknowledge it again); webhook deliveries queued in it are not sent")]
    public static partial void LegacyDamaged(ILogger logger, string legacyPath, string reason, string movedTo);
}
