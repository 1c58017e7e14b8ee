using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>Log messages of the Sparkplug B edge node. Event ids 1800–1899 are stable.</summary>
internal static partial class SparkplugLog
{
    [LoggerMessage(1800, LogLevel.Information, "Sparkplug: connected to {Server} as client id {ClientId}, bdSeq {BdSeq}")]
    public static partial void Connected(ILogger logger, string server, string clientId, long bdSeq);

    [LoggerMessage(1801, LogLevel.Warning, "Sparkplug: {Server} unavailable: {Reason}. Buffering on disk; next attempt on {NextServer} in {RetrySeconds:0.0}s")]
    public static partial void Unavailable(ILogger logger, string server, string reason, string nextServer, double retrySeconds);

    [LoggerMessage(1802, LogLevel.Information, "Sparkplug: NBIRTH and {Devices} DBIRTH published on {Server} (bdSeq {BdSeq}, {Reason})")]
    public static partial void Born(ILogger logger, int devices, string server, long bdSeq, string reason);

    [LoggerMessage(1803, LogLevel.Information, "Sparkplug: connected to {Server}; waiting for primary host '{Host}' to say it is online before the births")]
    public static partial void WaitingForHost(ILogger logger, string server, string host);

    [LoggerMessage(1804, LogLevel.Information, "Sparkplug: leaving {Server}: {Reason}; NDEATH sent, next server {NextServer}")]
    public static partial void Leaving(ILogger logger, string server, string reason, string nextServer);

    [LoggerMessage(1805, LogLevel.Warning, "Sparkplug: ignored a message on {Topic}: {Reason}")]
    public static partial void MessageIgnored(ILogger logger, string topic, string reason);

    [LoggerMessage(1806, LogLevel.Warning, "Sparkplug: device command (DCMD) on {Topic} not executed: upstream.sparkplug.commands is off; {Refused} DCMDs refused since start, nothing written (logged at most once a minute)")]
    public static partial void DeviceCommandsOff(ILogger logger, string topic, long refused);

    [LoggerMessage(1807, LogLevel.Debug, "Sparkplug: ignored a message on {Topic}: {Reason}")]
    public static partial void MessageIgnoredAgain(ILogger logger, string topic, string reason);

    [LoggerMessage(1808, LogLevel.Information, "Sparkplug: primary host '{Host}' is offline on {Server}; staying connected without births until it is online")]
    public static partial void HostOffline(ILogger logger, string host, string server);

    [LoggerMessage(1809, LogLevel.Warning, "Sparkplug: cannot read the bdSeq file {Path} ({Reason}); starting again at bdSeq 0")]
    public static partial void BdSeqUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(1810, LogLevel.Warning, "Sparkplug: cannot save the bdSeq to {Path} ({Reason}); connecting anyway, but after a restart the number may repeat (check data_dir's disk and permissions)")]
    public static partial void BdSeqNotSaved(ILogger logger, string path, string reason);

    [LoggerMessage(1811, LogLevel.Warning, "Sparkplug: value {Value} of tag {Device}/{Tag} does not fit its type {Type}; sent as null with BAD quality (check the tag's type in the configuration; logged once per tag)")]
    public static partial void ValueDoesNotFit(ILogger logger, string device, string tag, string type, string value);

    [LoggerMessage(1812, LogLevel.Information, "Sparkplug: history replayed: {Metrics} metrics sent as historical, {Skipped} readings of devices without a birth skipped")]
    public static partial void ReplayFinished(ILogger logger, long metrics, long skipped);

    [LoggerMessage(1813, LogLevel.Information, "Sparkplug: rebirth requested by {Reason}")]
    public static partial void RebirthRequested(ILogger logger, string reason);

    [LoggerMessage(1814, LogLevel.Debug, "Sparkplug: broker has everything through telemetry seq {Telemetry} and alarm seq {Alarms}")]
    public static partial void Acknowledged(ILogger logger, long telemetry, long alarms);

    [LoggerMessage(1815, LogLevel.Warning, "Sparkplug: session on {Server} lost: {Reason}; buffering on disk")]
    public static partial void SessionLost(ILogger logger, string server, string reason);

    [LoggerMessage(1816, LogLevel.Error, "Sparkplug: edge node failed unexpectedly; starting over in {RetrySeconds:0.0}s")]
    public static partial void Bug(ILogger logger, Exception exception, double retrySeconds);

    [LoggerMessage(1817, LogLevel.Information, "Sparkplug: stopped; NDEATH (bdSeq {BdSeq}) sent to {Server}")]
    public static partial void Stopped(ILogger logger, long bdSeq, string server);

    [LoggerMessage(1819, LogLevel.Debug, "Sparkplug: {Server} still unavailable: {Reason}; next attempt in {RetrySeconds:0.0}s")]
    public static partial void StillUnavailable(ILogger logger, string server, string reason, double retrySeconds);

    [LoggerMessage(1818, LogLevel.Information, "Sparkplug: replaying buffered history after the births: telemetry seq {FromTelemetry}–{ToTelemetry}, alarm seq {FromAlarms}–{ToAlarms}")]
    public static partial void ReplayStarting(ILogger logger, long fromTelemetry, long toTelemetry, long fromAlarms, long toAlarms);

    [LoggerMessage(1820, LogLevel.Warning, "Sparkplug: DCMD writes are on (upstream.sparkplug.commands): a DCMD carries no signature, so anyone who may publish on {Topics} can write {Allow}; restrict publishing there with the broker's ACL, or prefer signed writes")]
    public static partial void DeviceCommandsOn(ILogger logger, string topics, string allow);

    [LoggerMessage(1821, LogLevel.Warning, "Sparkplug: DCMD write on {Topic} refused: {Waiting} writes are waiting for their devices already (a DCMD flood?); nothing written, not audited; {Dropped} dropped since start")]
    public static partial void DeviceCommandsBusy(ILogger logger, string topic, int waiting, long dropped);
}
