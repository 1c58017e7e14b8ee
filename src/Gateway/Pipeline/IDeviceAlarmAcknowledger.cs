using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>Passes an acknowledgement to the device that keeps the alarm, through whichever driver instance serves it now.</summary>
internal interface IDeviceAlarmAcknowledger
{
    /// <summary>
    /// Throws <see cref="DeviceAlarmAcknowledgeException"/> when the device refuses, <see cref="DeviceException"/> when
    /// it is offline, <see cref="KeyNotFoundException"/> for an unknown device, <see cref="NotSupportedException"/> when
    /// its driver cannot acknowledge.
    /// </summary>
    ValueTask AcknowledgeAlarmAsync(string deviceId, string conditionId, string? comment, CancellationToken cancellationToken);
}
