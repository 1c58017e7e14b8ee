namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>The three <c>driver:</c> values this folder serves.</summary>
public enum ModbusTransportKind
{
    /// <summary><c>modbus-tcp</c>: MBAP framing, transaction ids.</summary>
    Tcp,

    /// <summary><c>modbus-rtu</c>: RTU on a local serial port.</summary>
    Rtu,

    /// <summary><c>modbus-rtu-over-tcp</c>: RTU frames (CRC, no MBAP) on a TCP socket to a serial device server.</summary>
    RtuOverTcp,
}
