using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Writes to a device's tags (sirens, beacons, reset coils; operators' writes) through whichever driver instance
/// currently serves it, between two of its polls.
/// </summary>
internal interface IDeviceOutputs
{
    /// <summary>
    /// Writes <paramref name="value"/> to <paramref name="tagId"/> of <paramref name="deviceId"/>. Throws
    /// <see cref="DeviceException"/> when the device is offline or the write fails, <see cref="KeyNotFoundException"/>
    /// for an unknown device, <see cref="NotSupportedException"/> for a read-only tag.
    /// </summary>
    ValueTask WriteAsync(string deviceId, string tagId, TagValue value, CancellationToken cancellationToken);

    /// <summary>
    /// An operator's write: as <see cref="WriteAsync(string, string, TagValue, CancellationToken)"/>, also throwing
    /// <see cref="TagValueRejectedException"/> (nothing sent) and <see cref="DeviceTagRefusedException"/> (the device
    /// refused); with <paramref name="readBack"/> the tag is then read back from the device before any other call of
    /// its driver, and the result holds what was read or why it could not be.
    /// </summary>
    ValueTask<DeviceWriteResult> WriteAsync(string deviceId, string tagId, TagValue value, bool readBack, CancellationToken cancellationToken);
}
