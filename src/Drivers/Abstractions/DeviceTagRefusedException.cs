namespace SmartCity.Edge.Drivers;

/// <summary>
/// The device answered a request about one tag — a write, or a read-back — with an error of its protocol: a Modbus
/// exception response, an OPC UA bad status. Request-scoped: the connection stays up, and the device did not carry
/// out the request.
/// </summary>
public sealed class DeviceTagRefusedException : Exception
{
    public DeviceTagRefusedException(string status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    /// <summary>The device's error as its protocol names it: <c>IllegalDataAddress (02)</c>, <c>BadNotWritable</c>.</summary>
    public string Status { get; }
}
