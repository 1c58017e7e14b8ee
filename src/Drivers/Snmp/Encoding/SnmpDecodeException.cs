namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Bytes that are not a well-formed SNMP message (truncated, indefinite or oversized length, wrong tag, out-of-range
/// field). Message-scoped: the datagram is dropped and counted, the session and the listener go on.
/// </summary>
internal sealed class SnmpDecodeException : SnmpException
{
    public SnmpDecodeException(string message)
        : base(message, "protocol")
    {
    }
}
