namespace SmartCity.Edge.Drivers;

/// <summary>
/// The device refused an acknowledgement or does not know the alarm. Request-scoped: the connection stays up.
/// </summary>
public sealed class DeviceAlarmAcknowledgeException : Exception
{
    public DeviceAlarmAcknowledgeException(string code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>The device's error code (OPC UA status name such as <c>BadEventIdUnknown</c>) or <c>unknown_alarm</c>.</summary>
    public string Code { get; }
}
