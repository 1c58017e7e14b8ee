namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Where a device's link goes. Devices with equal keys share one connection or bus. Built by the driver factory from
/// YAML and by the technician CLI from its options; <see cref="ModbusLink.Create"/> opens it.
/// </summary>
public sealed record ModbusLinkSettings(ModbusTransportKind Kind, string Host, int Port, ModbusSerialOptions? Serial, bool Echo)
{
    /// <summary>The port of <c>modbus-tcp</c> and <c>modbus-rtu-over-tcp</c> when none is given (MB TCP §4.1).</summary>
    public const int DefaultPort = 502;

    /// <summary>The registry key: one TCP connection per host:port and kind, one bus per serial port.</summary>
    public string Key => Kind switch
    {
        ModbusTransportKind.Rtu => "rtu:" + Serial!.PortName,
        ModbusTransportKind.RtuOverTcp => $"rtu-over-tcp:{Host}:{Port}",
        _ => $"tcp:{Host}:{Port}",
    };

    public string Endpoint => Kind == ModbusTransportKind.Rtu ? Serial!.PortName : $"{Host}:{Port}";

    /// <summary>Modbus TCP (<paramref name="rtuOverTcp"/> false) or RTU frames on a TCP socket to a serial device server.</summary>
    public static ModbusLinkSettings ForTcp(string host, int port, bool rtuOverTcp = false, bool echo = false) =>
        new(rtuOverTcp ? ModbusTransportKind.RtuOverTcp : ModbusTransportKind.Tcp, host, port, null, rtuOverTcp && echo);

    /// <summary>RTU on a local serial port.</summary>
    public static ModbusLinkSettings ForSerial(ModbusSerialOptions serial, bool echo = false) =>
        new(ModbusTransportKind.Rtu, string.Empty, 0, serial, echo);
}
