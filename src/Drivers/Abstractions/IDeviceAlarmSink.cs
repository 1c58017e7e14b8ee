namespace SmartCity.Edge.Drivers;

/// <summary>
/// Where a driver hands alarms the device keeps itself (OPC UA alarms &amp; conditions). The gateway lends one through
/// <see cref="DriverContext.DeviceAlarms"/>; drivers of devices without alarms never touch it.
/// </summary>
public interface IDeviceAlarmSink
{
    /// <summary>The device reported an alarm's current state (a change, or the state on a refresh).</summary>
    ValueTask PublishAsync(DeviceAlarm alarm, CancellationToken cancellationToken);

    /// <summary>
    /// The device has just reported every alarm it still shows (after a connect or reconnect, OPC UA ConditionRefresh):
    /// alarms of <paramref name="deviceId"/> whose condition id is not in <paramref name="conditionIds"/> ended while
    /// the gateway was not listening.
    /// </summary>
    ValueTask SynchronizedAsync(string deviceId, IReadOnlyCollection<string> conditionIds, CancellationToken cancellationToken);
}
