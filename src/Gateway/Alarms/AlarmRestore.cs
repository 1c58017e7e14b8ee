using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// Start-up of the alarm engine: the alarm states last committed (<see cref="AlarmStateStore"/>) restored into it,
/// and the raised ones shown on the status page before their devices report again.
/// </summary>
internal static class AlarmRestore
{
    public static AlarmEngine CreateEngine(
        GatewayConfiguration configuration,
        AlarmStateStore store,
        IAlarmEventSink sink,
        PipelineMonitor? monitor,
        TimeProvider time,
        ILogger<AlarmEngine> logger)
    {
        IReadOnlyList<AlarmSnapshot> restored = store.LoadStates();
        AlarmLog.Restored(
            logger,
            restored.Count,
            store.Path,
            restored.Count(s => s.State is AlarmLifecycle.Active or AlarmLifecycle.Acknowledged));

        // The monitor (status page, /metrics) sees every published transition, and the raised alarms restored.
        var engine = new AlarmEngine(
            AlarmDefinition.FromConfiguration(configuration),
            configuration.AlarmOptions,
            time,
            monitor is null ? sink : new MonitoringAlarmEventSink(sink, monitor),
            restored,
            AlarmDefinition.DeviceAlarmSources(configuration));

        // Alarms the engine kept (configured ones, and those kept by devices that still report them) are listed as
        // restored, before the device reports them again; retired ones it has already published as cleared.
        foreach (AlarmSnapshot snapshot in restored)
        {
            if (monitor is not null && engine.Contains(snapshot.AlarmId))
            {
                AlarmDefinition alarm = engine.DefinitionOf(snapshot.AlarmId);
                string message = alarm.Kind == AlarmKind.Device
                    ? alarm.MessageTemplate // the device's own text, as last published
                    : AlarmMessageFormatter.Format(alarm, TagValue.None, alarm.TagId, reason: null);
                monitor.RecordAlarm(alarm, snapshot.State, alarm.TagId, message, TagValue.None, snapshot.Since, snapshot.AcknowledgedBy, engine.OccurrenceOf(snapshot.AlarmId));
            }
        }

        return engine;
    }
}
