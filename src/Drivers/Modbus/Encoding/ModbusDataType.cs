namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>How a tag's registers or bit are interpreted.</summary>
public enum ModbusDataType : byte
{
    Bool,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,

    /// <summary>N characters, two per register, first character in the high byte; ends at the first NUL.</summary>
    String,
}
