using SmartCity.Edge.Gateway.Alarms;

namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>
/// Sits between the <see cref="AlarmEngine"/> and its sink: every published transition also updates the monitor's
/// list of raised alarms (status page, <c>/metrics</c>), then goes on unchanged. Called under the engine's lock;
/// the monitor's update is a concurrent-dictionary write and never blocks.
/// </summary>
internal sealed class MonitoringAlarmEventSink(IAlarmEventSink inner, PipelineMonitor monitor) : IAlarmEventSink
{
    public void Publish(AlarmEvent alarmEvent)
    {
        monitor.RecordAlarm(alarmEvent);
        inner.Publish(alarmEvent);
    }
}
