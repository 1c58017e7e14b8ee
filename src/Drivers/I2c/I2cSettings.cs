namespace SmartCity.Edge.Drivers.I2c;

/// <summary>Validated settings of a <c>driver: i2c</c> device: one sensor on one bus.</summary>
/// <param name="Bus">The <c>/dev/i2c-N</c> number (1 for the Raspberry Pi header's SDA/SCL pins).</param>
/// <param name="Address">The sensor's 7-bit address.</param>
/// <param name="Sensor">Which binding reads it.</param>
/// <param name="Tags">One entry per configured tag, in configuration order.</param>
public sealed record I2cSettings(int Bus, int Address, I2cSensorKind Sensor, IReadOnlyList<I2cTagSettings> Tags) : DriverSettings
{
    /// <summary>Every quantity is a float32: the sensors resolve a few significant digits, far below a float32's seven.</summary>
    public override TagDataType DataTypeOf(int tagIndex) => TagDataType.Float32;
}
