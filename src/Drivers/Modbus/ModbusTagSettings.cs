namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>One tag: where it is and how to decode it.</summary>
internal sealed record ModbusTagSettings(string Id, ModbusAddress Address, ModbusTagType Type, ModbusByteOrder Order, double Scale, double Offset)
{
    /// <summary>Registers (register tables) or bits (bit tables) the tag spans.</summary>
    public int Length => ModbusTableInfo.IsBitTable(Address.Table) ? 1 : Type.RegisterCount;

    /// <summary>The kind of value a poll produces: the register type, a float64 once an integer is scaled, bool for bits.</summary>
    public TagDataType DataType
    {
        get
        {
            if (ModbusTableInfo.IsBitTable(Address.Table) || Type.DataType == ModbusDataType.Bool)
            {
                return TagDataType.Boolean;
            }

            bool scaled = Scale != 1 || Offset != 0;
            return Type.DataType switch
            {
                ModbusDataType.String => TagDataType.String,
                ModbusDataType.Float32 => TagDataType.Float32,
                ModbusDataType.Float64 => TagDataType.Float64,
                _ when scaled => TagDataType.Float64,
                ModbusDataType.Int16 => TagDataType.Int16,
                ModbusDataType.UInt16 => TagDataType.UInt16,
                ModbusDataType.Int32 => TagDataType.Int32,
                ModbusDataType.UInt32 => TagDataType.UInt32,
                ModbusDataType.Int64 => TagDataType.Int64,
                ModbusDataType.UInt64 => TagDataType.UInt64,
                _ => TagDataType.Unknown,
            };
        }
    }
}
