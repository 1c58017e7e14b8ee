namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Facts about each table: the read function, whether it holds bits, its name in the YAML.</summary>
public static class ModbusTableInfo
{
    public static ModbusFunctionCode ReadFunction(ModbusTable table) => table switch
    {
        ModbusTable.Coil => ModbusFunctionCode.ReadCoils,
        ModbusTable.DiscreteInput => ModbusFunctionCode.ReadDiscreteInputs,
        ModbusTable.HoldingRegister => ModbusFunctionCode.ReadHoldingRegisters,
        _ => ModbusFunctionCode.ReadInputRegisters,
    };

    public static bool IsBitTable(ModbusTable table) => table is ModbusTable.Coil or ModbusTable.DiscreteInput;

    public static bool IsWritable(ModbusTable table) => table is ModbusTable.Coil or ModbusTable.HoldingRegister;

    public static string Name(ModbusTable table) => table switch
    {
        ModbusTable.Coil => "coil",
        ModbusTable.DiscreteInput => "discrete",
        ModbusTable.HoldingRegister => "holding",
        _ => "input",
    };
}
