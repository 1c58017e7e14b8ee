namespace SmartCity.Edge.Drivers;

/// <summary>
/// The device as a whole cannot be used right now (unreachable, connection lost, port busy, hardware missing).
/// The message is written for a technician: it says what failed and, where known, what to do.
/// </summary>
public class DeviceException : Exception
{
    public DeviceException(string message)
        : base(message)
    {
    }

    public DeviceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A short, stable classification for metrics and log rate-limiting (e.g. "timeout", "refused", "protocol").</summary>
    public string Kind { get; init; } = "error";
}
