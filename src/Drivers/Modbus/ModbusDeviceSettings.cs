namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Validated settings of one Modbus device (see sample.yaml for each key).</summary>
internal sealed record ModbusDeviceSettings(
    ModbusLinkSettings Link,
    byte UnitId,
    TimeSpan Timeout,
    int Retries,
    int MaxBlock,
    int MaxGap,
    int MaxInflight,
    IReadOnlyList<ModbusTagSettings> Tags) : DriverSettings
{
    /// <inheritdoc />
    public override TagDataType DataTypeOf(int tagIndex) => Tags[tagIndex].DataType;
}
