namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>Base of every error the SNMP stack raises. Nothing else escapes it (the fuzz tests hold the decoders to that).</summary>
public class SnmpException : Exception
{
    public SnmpException(string message, string kind, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>
    /// A short stable class for logs and <see cref="DeviceException.Kind"/>: timeout, protocol, auth, unknown_user,
    /// time_window, security_level, error_status, too_big, network.
    /// </summary>
    public string Kind { get; }
}
