namespace SmartCity.Edge.Drivers;

/// <summary>
/// Optional capability of a driver whose device keeps its own alarms: passes an operator's acknowledgement on to the
/// device. The device then reports the alarm acknowledged through <see cref="IDeviceAlarmSink"/>; the call itself
/// changes no gateway state.
/// </summary>
public interface IAcknowledgeDeviceAlarms
{
    /// <summary>
    /// Acknowledges the alarm <paramref name="conditionId"/> (a <see cref="DeviceAlarm.ConditionId"/>). Throws
    /// <see cref="DeviceAlarmAcknowledgeException"/> when the device refuses or does not know the alarm, and
    /// <see cref="DeviceException"/> when the device cannot be reached.
    /// </summary>
    ValueTask AcknowledgeAlarmAsync(string conditionId, string? comment, CancellationToken cancellationToken);
}
