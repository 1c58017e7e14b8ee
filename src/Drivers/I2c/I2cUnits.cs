using UnitsNet;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>The units a tag may ask for, per quantity, and the conversion from the canonical °C, %RH and hPa (by UnitsNet).</summary>
internal static class I2cUnits
{
    private static readonly Dictionary<string, I2cUnit> s_temperature = new(StringComparer.Ordinal)
    {
        ["°C"] = I2cUnit.DegreesCelsius,
        ["degC"] = I2cUnit.DegreesCelsius,
        ["°F"] = I2cUnit.DegreesFahrenheit,
        ["degF"] = I2cUnit.DegreesFahrenheit,
        ["K"] = I2cUnit.Kelvin,
    };

    private static readonly Dictionary<string, I2cUnit> s_humidity = new(StringComparer.Ordinal)
    {
        ["%RH"] = I2cUnit.PercentRelativeHumidity,
        ["%"] = I2cUnit.PercentRelativeHumidity,
    };

    private static readonly Dictionary<string, I2cUnit> s_pressure = new(StringComparer.Ordinal)
    {
        ["hPa"] = I2cUnit.Hectopascal,
        ["Pa"] = I2cUnit.Pascal,
        ["kPa"] = I2cUnit.Kilopascal,
        ["mbar"] = I2cUnit.Millibar,
    };

    public static I2cUnit Default(I2cQuantity quantity) => quantity switch
    {
        I2cQuantity.Temperature => I2cUnit.DegreesCelsius,
        I2cQuantity.Humidity => I2cUnit.PercentRelativeHumidity,
        _ => I2cUnit.Hectopascal,
    };

    public static IReadOnlyDictionary<string, I2cUnit> For(I2cQuantity quantity) => quantity switch
    {
        I2cQuantity.Temperature => s_temperature,
        I2cQuantity.Humidity => s_humidity,
        _ => s_pressure,
    };

    /// <summary>Converts a value in the quantity's canonical unit (°C, %RH, hPa) to <paramref name="unit"/>.</summary>
    public static double Convert(double canonical, I2cUnit unit) => unit switch
    {
        I2cUnit.DegreesCelsius or I2cUnit.PercentRelativeHumidity or I2cUnit.Hectopascal => canonical,
        I2cUnit.DegreesFahrenheit => Temperature.FromDegreesCelsius(canonical).DegreesFahrenheit,
        I2cUnit.Kelvin => Temperature.FromDegreesCelsius(canonical).Kelvins,
        I2cUnit.Pascal => Pressure.FromHectopascals(canonical).Pascals,
        I2cUnit.Kilopascal => Pressure.FromHectopascals(canonical).Kilopascals,
        I2cUnit.Millibar => Pressure.FromHectopascals(canonical).Millibars,
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, null),
    };
}
