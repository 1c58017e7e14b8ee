namespace SmartCity.Edge.Drivers.I2c;

/// <summary>The unit an <c>i2c</c> tag's value is given in, from the tag's <c>unit</c> key.</summary>
public enum I2cUnit
{
    DegreesCelsius,
    DegreesFahrenheit,
    Kelvin,
    PercentRelativeHumidity,
    Hectopascal,
    Pascal,
    Kilopascal,
    Millibar,
}
