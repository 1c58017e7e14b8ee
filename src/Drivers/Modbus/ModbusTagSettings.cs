namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>One tag: where it is and how to decode it.</summary>
internal sealed record ModbusTagSettings(string Id, ModbusAddress Address, ModbusTagType Type, ModbusByteOrder Order, double Scale, double Offset)
{
    /// <summary>Registers (register tables) or bits (bit tables) the tag spans.</summary>
    public int Length => ModbusTableInfo.IsBitTable(Address.Table) ? 1 : Type.RegisterCount;
}
