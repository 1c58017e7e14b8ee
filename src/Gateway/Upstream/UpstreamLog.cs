using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>Log messages of the upstream forwarder. Event ids 1200–1299 are stable.</summary>
internal static partial class UpstreamLog
{
    [LoggerMessage(1200, LogLevel.Information, "Connected to MQTT broker {Broker}")]
    public static partial void Connected(ILogger logger, string broker);

    [LoggerMessage(1201, LogLevel.Warning, "Upstream {Publisher} unavailable: {Reason}. Buffering on disk; retrying in {RetrySeconds:0.0}s")]
    public static partial void Unavailable(ILogger logger, string publisher, string reason, double retrySeconds);

    [LoggerMessage(1202, LogLevel.Information, "Upstream {Publisher} back; draining {Backlog} buffered records")]
    public static partial void Recovered(ILogger logger, string publisher, long backlog);

    [LoggerMessage(1203, LogLevel.Error, "Forwarder failed unexpectedly; retrying in {RetrySeconds:0.0}s")]
    public static partial void ForwarderBug(ILogger logger, Exception exception, double retrySeconds);

    [LoggerMessage(1204, LogLevel.Debug, "Published {Count} messages up to seq {LastSeq}")]
    public static partial void Published(ILogger logger, int count, long lastSeq);

    [LoggerMessage(1205, LogLevel.Trace, "Published {Topic} through seq {LastSeq}")]
    public static partial void PublishedMessage(ILogger logger, string topic, long lastSeq);

    [LoggerMessage(1206, LogLevel.Trace, "Deleted {Kind} through seq {LastSeq}")]
    public static partial void Deleted(ILogger logger, string kind, long lastSeq);

    [LoggerMessage(1207, LogLevel.Information, "MQTT session of client id {ClientId}: {Session}")]
    public static partial void Session(ILogger logger, string clientId, string session);

    [LoggerMessage(1208, LogLevel.Warning, "The broker no longer had the MQTT session of client id {ClientId}: commands published while the gateway was disconnected were not queued (broker restarted without persistence, session expired by persistent_client_expiration, or another client used the same client id with a clean session)")]
    public static partial void SessionLost(ILogger logger, string clientId);

    [LoggerMessage(1209, LogLevel.Debug, "Command on {Topic} done: acknowledged to the broker (PUBACK, packet id {PacketId}, redelivery {Redelivery})")]
    public static partial void CommandAcknowledged(ILogger logger, string topic, ushort packetId, bool redelivery);

    [LoggerMessage(1210, LogLevel.Information, "Command on {Topic} (packet id {PacketId}) done but not acknowledged to the broker: {Reason}. The broker delivers it again after the reconnect; executing it again changes nothing")]
    public static partial void CommandLeftForRedelivery(ILogger logger, string topic, ushort packetId, string reason);

    [LoggerMessage(1211, LogLevel.Debug, "MQTT connection to {Broker} closed: {Reason}")]
    public static partial void Disconnected(ILogger logger, string broker, string reason);

    [LoggerMessage(1214, LogLevel.Warning, "Upstream {Upstream}: sending the notice of {Ranges} evicted telemetry ranges, seq {FromSeq} to {ToSeq} (evicted at buffer.max_disk during the outage), ahead of the data that follows")]
    public static partial void EvictionNotice(ILogger logger, string upstream, int ranges, long fromSeq, long toSeq);

    [LoggerMessage(1213, LogLevel.Error, "Upstream {Upstream}: buffered frame seq {FirstSeq}-{LastSeq} cannot be rendered and is skipped: {Reason}")]
    public static partial void DamagedFrameSkipped(ILogger logger, string upstream, long firstSeq, long lastSeq, string reason);

    [LoggerMessage(1212, LogLevel.Warning, "upstream.mqtt.allow_plaintext: the user name, password, every reading and every command go to {Host}:{Port} unencrypted (mqtt://); anyone on the network path can read them and take over the session. Use mqtts:// when the broker offers it")]
    public static partial void PlaintextCredentials(ILogger logger, string host, int port);
}
