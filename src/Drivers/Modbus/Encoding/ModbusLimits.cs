namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Sizes from the specification (AP §4.1, §6; SL §2.5.1). Every parser checks against these before trusting a length.</summary>
public static class ModbusLimits
{
    /// <summary>Function code + data (AP §4.1).</summary>
    public const int MaxPduLength = 253;

    /// <summary>MBAP (7) + PDU.</summary>
    public const int MaxTcpAduLength = 260;

    /// <summary>Address + PDU + CRC (SL §2.5.1).</summary>
    public const int MaxRtuAduLength = 256;

    public const int MaxReadBits = 2000;
    public const int MaxReadRegisters = 125;
    public const int MaxWriteBits = 1968;
    public const int MaxWriteRegisters = 123;
}
