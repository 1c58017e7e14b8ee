namespace SmartCity.Edge.Drivers;

/// <summary>
/// The type a tag is configured with, as far as its driver knows it before reading (Modbus <c>type:</c>). Upstream
/// encoders that declare types ahead of the data (Sparkplug B birth certificates) read it from the gateway's tag table;
/// <see cref="Unknown"/> where the device decides at run time (OPC UA variables).
/// </summary>
public enum TagDataType : byte
{
    Unknown = 0,
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float32,
    Float64,
    String,
}
