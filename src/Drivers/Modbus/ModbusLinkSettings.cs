namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Where a device's link goes. Devices with equal keys share one connection or bus.</summary>
internal sealed record ModbusLinkSettings(ModbusTransportKind Kind, string Host, int Port, ModbusSerialOptions? Serial, bool Echo)
{
    /// <summary>The registry key: one TCP connection per host:port and kind, one bus per serial port.</summary>
    public string Key => Kind switch
    {
        ModbusTransportKind.Rtu => "rtu:" + Serial!.PortName,
        ModbusTransportKind.RtuOverTcp => $"rtu-over-tcp:{Host}:{Port}",
        _ => $"tcp:{Host}:{Port}",
    };

    public string Endpoint => Kind == ModbusTransportKind.Rtu ? Serial!.PortName : $"{Host}:{Port}";
}
