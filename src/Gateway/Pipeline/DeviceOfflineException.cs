using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Thrown by <see cref="DeviceSupervisor"/> when a command finds its device offline: refused before the driver was
/// called, so nothing reached the device (an operator write is reported as not sent). Its <see cref="DeviceException.Kind"/>
/// is <c>offline</c> for metrics and replies; code branches on the type, never on that text.
/// </summary>
internal sealed class DeviceOfflineException : DeviceException
{
    public const string OfflineKind = "offline";

    public DeviceOfflineException(string deviceId, string? lastError)
        : base($"device '{deviceId}' is offline: {lastError ?? "not connected yet"}")
    {
        Kind = OfflineKind;
    }
}
