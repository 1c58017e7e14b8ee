using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Log events of the OPC UA stack and driver (event ids 4000–4099, stable). Never logs passwords or values at Information.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Debug, Message = "OPC UA channel to {Endpoint} open: channel {ChannelId}, token {TokenId}, lifetime {LifetimeMs} ms")]
    public static partial void ChannelOpened(ILogger logger, string endpoint, uint channelId, uint tokenId, uint lifetimeMs);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "OPC UA channel {ChannelId} renewed: token {TokenId}, lifetime {LifetimeMs} ms")]
    public static partial void TokenRenewed(ILogger logger, uint channelId, uint tokenId, uint lifetimeMs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "OPC UA channel {ChannelId} lost: {Status} {Reason}")]
    public static partial void ChannelFaulted(ILogger logger, uint channelId, string status, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "OPC UA close failed (ignored): {Reason}")]
    public static partial void CloseFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "OPC UA {MessageType} for request {RequestId} that is no longer awaited (timed out or cancelled)")]
    public static partial void UnmatchedResponse(ILogger logger, uint requestId, string messageType);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "OPC UA session {SessionId} created, timeout {TimeoutMs} ms")]
    public static partial void SessionCreated(ILogger logger, string sessionId, long timeoutMs);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "OPC UA connection to {Endpoint} lost ({Reason}); reconnecting")]
    public static partial void Reconnecting(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "OPC UA reconnect attempt {Attempt} to {Endpoint} failed ({Reason}); next in {DelayMs} ms")]
    public static partial void ReconnectFailed(ILogger logger, int attempt, string endpoint, string reason, long delayMs);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Warning, Message = "OPC UA reconnect attempt {Attempt} to {Endpoint} failed unexpectedly; next in {DelayMs} ms")]
    public static partial void ReconnectFailedUnexpectedly(ILogger logger, Exception exception, int attempt, string endpoint, long delayMs);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Warning, Message = "OPC UA reconnect attempt {Attempt} to {Endpoint} refused: {Status} {Reason}; next in {DelayMs} ms")]
    public static partial void ReconnectRefusedCertificate(ILogger logger, int attempt, string endpoint, string status, string reason, long delayMs);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "OPC UA reconnected to {Endpoint}: session {Outcome}")]
    public static partial void Reconnected(ILogger logger, string endpoint, string outcome);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Debug, Message = "OPC UA subscription {SubscriptionId} created: publishing interval {IntervalMs} ms, keep-alive count {KeepAlive}")]
    public static partial void SubscriptionCreated(ILogger logger, uint subscriptionId, double intervalMs, uint keepAlive);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Warning, Message = "OPC UA monitored item for {NodeId} rejected: {Status}")]
    public static partial void MonitoredItemFailed(ILogger logger, string nodeId, string status);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "OPC UA Publish failed: {Status} {Reason}")]
    public static partial void PublishFailed(ILogger logger, string status, string reason);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Information, Message = "OPC UA subscription {SubscriptionId}: republished {Count} missed notification message(s)")]
    public static partial void Republished(ILogger logger, uint subscriptionId, int count);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Warning, Message = "OPC UA subscription {SubscriptionId}: notification {SequenceNumber} is no longer available on the server ({Status}); values are re-read")]
    public static partial void NotificationLost(ILogger logger, uint subscriptionId, uint sequenceNumber, string status);

    [LoggerMessage(EventId = 4025, Level = LogLevel.Warning, Message = "OPC UA subscription {SubscriptionId} status change: {Status}")]
    public static partial void SubscriptionStatusChanged(ILogger logger, uint subscriptionId, string status);

    [LoggerMessage(EventId = 4026, Level = LogLevel.Warning, Message = "OPC UA no Publish response for {SilenceMs} ms (keep-alive expected); treating the connection as dead")]
    public static partial void KeepAliveMissed(ILogger logger, long silenceMs);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: tag {TagId} ({Node}) is bad: {Status}{Hint}")]
    public static partial void TagBad(ILogger logger, string deviceId, string tagId, string node, string status, string hint);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: browse path {Path} of tag {TagId} does not resolve: {Status}{Hint}")]
    public static partial void PathUnresolved(ILogger logger, string deviceId, string tagId, string path, string status, string hint);

    [LoggerMessage(EventId = 4040, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: trusted the server certificate {Thumbprint} on first use ({File}); trust_on_first_use is on")]
    public static partial void TrustedOnFirstUse(ILogger logger, string deviceId, string thumbprint, string file);

    [LoggerMessage(EventId = 4041, Level = LogLevel.Error, Message = "OPC UA device {DeviceId}: {Reason}")]
    public static partial void CertificateRefused(ILogger logger, string deviceId, string reason);

    [LoggerMessage(EventId = 4042, Level = LogLevel.Information, Message = "OPC UA device {DeviceId}: created the gateway's application certificate {File} (SHA-256 {Thumbprint}), valid until {NotAfter:u}; servers that do not accept unknown clients must trust it")]
    public static partial void OwnCertificateCreated(ILogger logger, string deviceId, string file, string thumbprint, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 4043, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: the gateway's application certificate (expiring {PreviousNotAfter:u}) was renewed: {File} (SHA-256 {Thumbprint}), valid until {NotAfter:u}. A technician must trust the new certificate on every OPC UA server that does not accept unknown clients (copy the file into its trust list, or accept it in its rejected list); until then such a server refuses the gateway")]
    public static partial void OwnCertificateRenewed(ILogger logger, string deviceId, DateTimeOffset previousNotAfter, string file, string thumbprint, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 4044, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: the gateway's application certificate was for another application_uri or did not match its key, and was replaced: {File} (SHA-256 {Thumbprint}), valid until {NotAfter:u}; servers must trust the new certificate")]
    public static partial void OwnCertificateReplaced(ILogger logger, string deviceId, string file, string thumbprint, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 4045, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: auth.allow_insecure_password is on: a user name and password over security policy None. The password is only sent encrypted with the server's trusted certificate, but the channel neither signs nor encrypts anything else; prefer security: {{ policy: auto }}")]
    public static partial void InsecurePasswordAllowed(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 4050, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: event notifier {Notifier} rejected: {Status}; no alarms from it")]
    public static partial void EventNotifierFailed(ILogger logger, string deviceId, string notifier, string status);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: ConditionRefresh failed ({Status}); alarms already active on the server arrive only when they change")]
    public static partial void ConditionRefreshFailed(ILogger logger, string deviceId, string status);

    [LoggerMessage(EventId = 4052, Level = LogLevel.Debug, Message = "OPC UA device {DeviceId}: condition refresh done, {Count} condition(s) retained on the server")]
    public static partial void ConditionsRefreshed(ILogger logger, string deviceId, int count);

    [LoggerMessage(EventId = 4053, Level = LogLevel.Information, Message = "OPC UA device {DeviceId}: acknowledged condition {ConditionId}")]
    public static partial void ConditionAcknowledged(ILogger logger, string deviceId, string conditionId);

    [LoggerMessage(EventId = 4054, Level = LogLevel.Warning, Message = "OPC UA device {DeviceId}: acknowledging condition {ConditionId} failed: {Status}")]
    public static partial void ConditionAcknowledgeFailed(ILogger logger, string deviceId, string conditionId, string status);
}
