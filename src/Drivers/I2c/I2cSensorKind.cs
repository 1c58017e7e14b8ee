namespace SmartCity.Edge.Drivers.I2c;

/// <summary>The cabinet sensors the <c>i2c</c> driver reads, each through its Iot.Device.Bindings binding.</summary>
public enum I2cSensorKind
{
    /// <summary>Bosch BME280: temperature, humidity, pressure (Iot.Device.Bmxx80.Bme280). Address 0x76 or 0x77.</summary>
    Bme280,

    /// <summary>Sensirion SHT3x (SHT30/31/35): temperature, humidity (Iot.Device.Sht3x.Sht3x). Address 0x44 or 0x45.</summary>
    Sht3x,
}
