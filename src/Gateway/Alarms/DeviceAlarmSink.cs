using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>
/// What drivers get as <see cref="DriverContext.DeviceAlarms"/>: alarms kept by devices go straight into the
/// <see cref="AlarmEngine"/>, and from there the same way as the gateway's own (MQTT, retained state, webhooks,
/// <c>alarm_state</c>). Never blocks: the engine's work is in-memory under its lock.
/// </summary>
internal sealed class DeviceAlarmSink : IDeviceAlarmSink
{
    private readonly AlarmEngine _engine;

    public DeviceAlarmSink(AlarmEngine engine) => _engine = engine;

    public ValueTask PublishAsync(DeviceAlarm alarm, CancellationToken cancellationToken)
    {
        _engine.ApplyDeviceAlarm(alarm);
        return ValueTask.CompletedTask;
    }

    public ValueTask SynchronizedAsync(string deviceId, IReadOnlyCollection<string> conditionIds, CancellationToken cancellationToken)
    {
        _engine.SynchronizeDeviceAlarms(deviceId, conditionIds);
        return ValueTask.CompletedTask;
    }
}
