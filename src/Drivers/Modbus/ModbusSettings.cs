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

/// <summary>Validated settings of one Modbus device (see sample.yaml for each key).</summary>
internal sealed record ModbusDeviceSettings(
    ModbusLinkSettings Link,
    byte UnitId,
    TimeSpan Timeout,
    int Retries,
    int MaxBlock,
    int MaxGap,
    int MaxInflight,
    IReadOnlyList<ModbusTagSettings> Tags) : DriverSettings;

/// <summary>One tag: where it is and how to decode it.</summary>
internal sealed record ModbusTagSettings(string Id, ModbusAddress Address, ModbusTagType Type, ModbusByteOrder Order, double Scale, double Offset)
{
    /// <summary>Registers (register tables) or bits (bit tables) the tag spans.</summary>
    public int Length => ModbusTableInfo.IsBitTable(Address.Table) ? 1 : Type.RegisterCount;
}
