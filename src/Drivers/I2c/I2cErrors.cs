using System.Globalization;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>The technician-readable <see cref="DeviceException"/>s of the I2C driver.</summary>
internal static class I2cErrors
{
    private const string EnableAdvice =
        "on a Raspberry Pi enable I2C with 'sudo raspi-config nonint do_i2c 0' (or 'dtparam=i2c_arm=on' in /boot/firmware/config.txt) and reboot";

    public static DeviceException BusMissing(string path, IReadOnlyList<string> available)
    {
        string found = available.Count == 0
            ? $"this machine has no I2C bus enabled (no /dev/i2c-*); {EnableAdvice}"
            : $"available: {string.Join(", ", available)}; set bus to one of them, or {EnableAdvice}";
        return new DeviceException($"I2C bus {path} does not exist: {found}.") { Kind = "missing" };
    }

    public static DeviceException PermissionDenied(string path, Exception inner) =>
        new($"Permission denied opening {path}: add the service user to the 'i2c' group, e.g. 'sudo usermod -aG i2c smartcity-edge', then restart the service.", inner) { Kind = "permission" };

    public static DeviceException BusFailed(string path, Exception inner) =>
        new($"Cannot open {path}: {inner.Message}", inner) { Kind = "error" };

    public static DeviceException NoSensor(I2cSettings settings, Exception inner) =>
        new(string.Create(CultureInfo.InvariantCulture, $"No {Name(settings.Sensor)} found at address 0x{settings.Address:x2} on /dev/i2c-{settings.Bus}: check the wiring (SDA, SCL, 3.3 V, GND), the address ({Addresses(settings.Sensor)}) and 'i2cdetect -y {settings.Bus}'. ({inner.Message})"), inner) { Kind = "missing" };

    public static DeviceException ReadFailed(I2cSettings settings, Exception inner) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Reading the {Name(settings.Sensor)} at address 0x{settings.Address:x2} on /dev/i2c-{settings.Bus} failed: {inner.Message}"), inner) { Kind = "io" };

    public static string Name(I2cSensorKind sensor) => sensor switch
    {
        I2cSensorKind.Bme280 => "BME280",
        I2cSensorKind.Sht3x => "SHT3x",
        _ => sensor.ToString(),
    };

    public static string Addresses(I2cSensorKind sensor) => sensor switch
    {
        I2cSensorKind.Bme280 => "0x76 with SDO to GND, 0x77 with SDO to VDDIO",
        I2cSensorKind.Sht3x => "0x44 with ADDR to GND, 0x45 with ADDR to VDD",
        _ => "see the sensor's datasheet",
    };
}
