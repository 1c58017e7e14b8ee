namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// What kind of failure a <see cref="ModbusException"/> is: the client branches on it (resend after <see cref="Closed"/>,
/// retry after <see cref="Timeout"/> or <see cref="Crc"/>); <see cref="ModbusFailureKindText"/> turns it into the short
/// stable word of logs, metrics and readings' reasons.
/// </summary>
public enum ModbusFailureKind
{
    /// <summary>Anything the other kinds do not name (an unexpected socket error while connecting).</summary>
    Error,

    /// <summary>No answer in time: request-scoped for a reply, connection-scoped for a connect or a serial write.</summary>
    Timeout,

    /// <summary>The peer refused the TCP connection: nothing listens on that port.</summary>
    Refused,

    /// <summary>No route to the host, or the name does not resolve.</summary>
    Unreachable,

    /// <summary>The peer closed or reset the connection (or the gateway closed it).</summary>
    Closed,

    /// <summary>The link stayed silent for several requests in a row and the gateway closed it to reopen it.</summary>
    Silent,

    /// <summary>The serial port is missing, busy or gone.</summary>
    Port,

    /// <summary>An RTU reply whose CRC does not match (noise, wrong line settings, two masters).</summary>
    Crc,

    /// <summary>A reply that breaks the protocol: length, byte count, function, unit id or MBAP header.</summary>
    Protocol,

    /// <summary>The device answered with an exception reply (AP §7).</summary>
    Exception,
}
