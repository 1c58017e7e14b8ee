using System.Globalization;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>
/// <c>driver: i2c</c>: a temperature / humidity / pressure sensor in the cabinet, on the gateway's own I2C bus.
/// Device keys: <c>sensor</c> (bme280 | sht3x, required), <c>bus</c> (default 1), <c>address</c> (default 0x76 for
/// bme280, 0x44 for sht3x). Tag key: <c>quantity</c> (temperature | humidity | pressure); the tag's <c>unit</c>
/// picks the unit (°C, %RH, hPa by default). See docs/local-io.md.
/// </summary>
public sealed class I2cDriverFactory : IDriverFactory
{
    private static readonly Dictionary<string, I2cSensorKind> s_sensors = new(StringComparer.Ordinal)
    {
        ["bme280"] = I2cSensorKind.Bme280,
        ["sht3x"] = I2cSensorKind.Sht3x,
    };

    private static readonly Dictionary<string, I2cQuantity> s_quantities = new(StringComparer.Ordinal)
    {
        ["temperature"] = I2cQuantity.Temperature,
        ["humidity"] = I2cQuantity.Humidity,
        ["pressure"] = I2cQuantity.Pressure,
    };

    private readonly II2cBusOpener _opener;

    /// <summary>The production factory: buses are opened through Linux i2c-dev.</summary>
    public I2cDriverFactory()
        : this(new LinuxI2cBusOpener())
    {
    }

    /// <param name="opener">How buses are opened; tests pass one that returns a fake <see cref="System.Device.I2c.I2cDevice"/>.</param>
    public I2cDriverFactory(II2cBusOpener opener)
    {
        _opener = opener;
    }

    public IReadOnlyList<string> DriverNames { get; } = ["i2c"];

    public DriverSettings ReadSettings(DeviceDescriptor device, ConfigSection deviceSection, IReadOnlyList<ConfigSection> tagSections)
    {
        I2cSensorKind sensor = deviceSection.GetChoice("sensor", I2cSensorKind.Bme280, s_sensors, required: true);
        int bus = deviceSection.GetInt32("bus", 1, min: 0, max: 255);

        int address = deviceSection.GetInt32("address", DefaultAddress(sensor));
        if (address is < 0x03 or > 0x77)
        {
            // 0x00-0x02 and 0x78-0x7F are reserved by the I2C specification; 8-bit (shifted) addresses land up there.
            deviceSection.Error("address", string.Create(CultureInfo.InvariantCulture, $"{address} (0x{address:x2}) is not a 7-bit device address (0x03 to 0x77); a {I2cErrors.Name(sensor)} uses {I2cErrors.Addresses(sensor)}"));
            address = DefaultAddress(sensor);
        }
        var tags = new List<I2cTagSettings>(tagSections.Count);
        for (int i = 0; i < tagSections.Count; i++)
        {
            ConfigSection tag = tagSections[i];
            I2cQuantity quantity = tag.GetChoice("quantity", I2cQuantity.Temperature, s_quantities, required: true);
            if (sensor == I2cSensorKind.Sht3x && quantity == I2cQuantity.Pressure)
            {
                tag.Error("quantity", "an SHT3x measures temperature and humidity, not pressure (use a BME280 for pressure)");
            }

            I2cUnit unit = I2cUnits.Default(quantity);
            if (device.Tags[i].Unit is { } text)
            {
                IReadOnlyDictionary<string, I2cUnit> units = I2cUnits.For(quantity);
                if (units.TryGetValue(text, out I2cUnit chosen))
                {
                    unit = chosen;
                }
                else
                {
                    tag.Error("unit", $"'{text}' is not a unit of {quantity.ToString().ToLowerInvariant()} (write {string.Join(", ", units.Keys)}){DidYouMean.Hint(text, units.Keys)}");
                }
            }

            tags.Add(new I2cTagSettings(device.Tags[i].Id, quantity, unit));
        }

        return new I2cSettings(bus, address, sensor, tags);
    }

    public IDeviceDriver Create(DeviceDescriptor device, DriverSettings settings, DriverContext context) =>
        new I2cDeviceDriver(device, (I2cSettings)settings, _opener, context.TimeProvider, context.LoggerFactory.CreateLogger("SmartCity.Edge.Drivers.I2c"));

    private static int DefaultAddress(I2cSensorKind sensor) => sensor switch
    {
        // The breakout boards sold for cabinets mostly tie SDO/ADDR low.
        I2cSensorKind.Sht3x => 0x44,
        _ => 0x76,
    };
}
