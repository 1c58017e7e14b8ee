namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Told by each device supervisor how its polls go (the alarm engine's offline alarms listen). Called on the
/// supervisor's loop: implementations must be quick and must not throw. Data flows one way: supervisor → observer.
/// </summary>
internal interface IDeviceStatusObserver
{
    /// <summary>A connect or poll failed; <paramref name="consecutiveFailures"/> counts since the device was last online.</summary>
    void OnDevicePollFailed(string deviceId, int consecutiveFailures, string reason, DateTimeOffset at);

    /// <summary>The device answered its first poll after (re)connecting.</summary>
    void OnDeviceOnline(string deviceId, DateTimeOffset at);
}
