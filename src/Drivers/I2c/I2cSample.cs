namespace SmartCity.Edge.Drivers.I2c;

/// <summary>One measurement of a sensor in canonical units; null where the sensor did not measure that quantity.</summary>
internal readonly record struct I2cSample(double? TemperatureCelsius, double? HumidityPercent, double? PressureHectopascals)
{
    public double? Get(I2cQuantity quantity) => quantity switch
    {
        I2cQuantity.Temperature => TemperatureCelsius,
        I2cQuantity.Humidity => HumidityPercent,
        I2cQuantity.Pressure => PressureHectopascals,
        _ => null,
    };
}
