namespace SmartCity.Edge.Drivers.I2c;

/// <summary>One quantity of an I2C sensor.</summary>
/// <param name="Id">Tag id.</param>
/// <param name="Quantity">Temperature, humidity or pressure.</param>
/// <param name="Unit">The unit of the published value (°C, %RH and hPa unless the tag's <c>unit</c> says otherwise).</param>
public sealed record I2cTagSettings(string Id, I2cQuantity Quantity, I2cUnit Unit);
