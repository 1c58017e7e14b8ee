namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>The four data tables of the Modbus data model (AP §4.3).</summary>
public enum ModbusTable : byte
{
    Coil,
    DiscreteInput,
    HoldingRegister,
    InputRegister,
}
