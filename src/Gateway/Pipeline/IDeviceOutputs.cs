using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>Writes to a device's output tags (sirens, beacons, reset coils) through whichever driver instance currently serves it.</summary>
internal interface IDeviceOutputs
{
    /// <summary>
    /// Writes <paramref name="value"/> to <paramref name="tagId"/> of <paramref name="deviceId"/>. Throws
    /// <see cref="DeviceException"/> when the device is offline or the write fails, <see cref="KeyNotFoundException"/>
    /// for an unknown device, <see cref="NotSupportedException"/> for a read-only tag.
    /// </summary>
    ValueTask WriteAsync(string deviceId, string tagId, TagValue value, CancellationToken cancellationToken);
}
