using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>Log messages of the service integration (systemd, watchdog, reload). Event ids 1300–1399 are stable.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(1300, LogLevel.Information, "systemd watchdog enabled: a ping every {IntervalSeconds:0.###}s while the pipeline makes progress")]
    public static partial void WatchdogEnabled(ILogger logger, double intervalSeconds);

    [LoggerMessage(1301, LogLevel.Critical, "Pipeline stalled: {Reason}. Watchdog pings withheld; systemd restarts the service if this lasts")]
    public static partial void PipelineStalled(ILogger logger, string reason);

    [LoggerMessage(1302, LogLevel.Information, "Pipeline progressing again; watchdog pings resumed")]
    public static partial void PipelineResumed(ILogger logger);

    [LoggerMessage(1390, LogLevel.Information, "Starting from {File}: {Overview}; {Topics}; {Commands}")]
    public static partial void Starting(ILogger logger, string file, string overview, string topics, string commands);

    [LoggerMessage(1310, LogLevel.Information, "Reloading configuration from {File} ({Trigger})")]
    public static partial void Reloading(ILogger logger, string file, string trigger);

    [LoggerMessage(1311, LogLevel.Error, "Configuration reload rejected, still running on the previous configuration: {Problem}")]
    public static partial void ReloadProblem(ILogger logger, string problem);

    [LoggerMessage(1312, LogLevel.Error, "Configuration reload rejected: {Count} problems in {File}; the gateway keeps running on the previous configuration")]
    public static partial void ReloadRejected(ILogger logger, int count, string file);

    [LoggerMessage(1313, LogLevel.Information, "Configuration reloaded: {Added} devices added, {Removed} removed, {Restarted} restarted, {Unchanged} unchanged; {Alarms} alarm rules")]
    public static partial void Reloaded(ILogger logger, int added, int removed, int restarted, int unchanged, int alarms);

    [LoggerMessage(1314, LogLevel.Warning, "Configuration reload: the {Section} section changed; that change takes effect after a restart (the rest was applied)")]
    public static partial void NeedsRestart(ILogger logger, string section);

    [LoggerMessage(1315, LogLevel.Warning, "Configuration reload requested, but the gateway runs on the embedded demo configuration; start it with --config FILE to reload")]
    public static partial void NothingToReload(ILogger logger);

    [LoggerMessage(1316, LogLevel.Error, "Configuration reload failed unexpectedly; the gateway keeps running")]
    public static partial void ReloadBug(ILogger logger, Exception exception);

    [LoggerMessage(1317, LogLevel.Information, "Configuration reload: upstream.mqtt changed; reconnecting with {Settings}; buffered records are kept until the broker acknowledges them")]
    public static partial void MqttApplied(ILogger logger, string settings);

    [LoggerMessage(1318, LogLevel.Error, "Configuration reload: upstream.mqtt not applied, still using the previous connection settings: {Reason}")]
    public static partial void MqttNotApplied(ILogger logger, string reason);

    [LoggerMessage(1319, LogLevel.Information, "Configuration reload ready: {How}")]
    public static partial void ReloadReady(ILogger logger, string how);

    [LoggerMessage(1320, LogLevel.Information, "Stop requested while starting; stopping in order now that start-up is complete (everything read so far is committed)")]
    public static partial void StoppedDuringStartup(ILogger logger);
}
