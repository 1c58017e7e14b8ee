namespace SmartCity.Edge.Drivers.I2c;

/// <summary>What an <c>i2c</c> tag reports.</summary>
public enum I2cQuantity
{
    Temperature,
    Humidity,
    Pressure,
}
