using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers.I2c;
using SmartCity.Edge.Drivers.Tests.Gpio;

namespace SmartCity.Edge.Drivers.Tests.I2c;

/// <summary>
/// The production bus opener on this machine, which has no I2C bus: a <see cref="DeviceException"/> a technician can
/// act on, and nothing else thrown through the supervisor's connect / dispose / retry cycle.
/// </summary>
public sealed class I2cNoHardwareTests : IDisposable
{
    private readonly string _devices = Directory.CreateTempSubdirectory("smartcity-i2c-").FullName;

    public void Dispose() => Directory.Delete(_devices, recursive: true);

    [Fact]
    public async Task Connect_MachineWithoutI2c_DeviceExceptionNamingBusAndHowToEnableIt()
    {
        // CI has no I2C: bus 1 is missing. On a board with I2C the test asks for a bus that cannot exist instead.
        bool hasI2c = Directory.GetFiles("/dev", "i2c-*").Length > 0;
        int bus = hasI2c ? 255 : 1;
        var factory = new I2cDriverFactory();

        for (int attempt = 0; attempt < 2; attempt++)
        {
            IDeviceDriver driver = Create(factory, bus);
            var ex = await Assert.ThrowsAsync<DeviceException>(() => driver.ConnectAsync(new CollectingSink(), CancellationToken.None).AsTask());
            await driver.DisposeAsync();

            Assert.Equal("missing", ex.Kind);
            if (hasI2c)
            {
                Assert.StartsWith("I2C bus /dev/i2c-255 does not exist: available: /dev/i2c-", ex.Message);
            }
            else
            {
                Assert.Equal(
                    "I2C bus /dev/i2c-1 does not exist: this machine has no I2C bus enabled (no /dev/i2c-*); on a Raspberry Pi enable I2C with " +
                    "'sudo raspi-config nonint do_i2c 0' (or 'dtparam=i2c_arm=on' in /boot/firmware/config.txt) and reboot.",
                    ex.Message);
            }
        }
    }

    [Fact]
    public void Open_OtherBusesPresent_ListsThem()
    {
        File.WriteAllBytes(Path.Combine(_devices, "i2c-20"), []);
        File.WriteAllBytes(Path.Combine(_devices, "i2c-21"), []);

        var ex = Assert.Throws<DeviceException>(() => new LinuxI2cBusOpener(_devices).Open(1, 0x76));

        Assert.StartsWith($"I2C bus {_devices}/i2c-1 does not exist: available: {_devices}/i2c-20, {_devices}/i2c-21; set bus to one of them", ex.Message);
    }

    [Fact]
    public void PermissionDenied_Message_NamesNodeAndI2cGroup()
    {
        // Root (as CI runs) is never denied, so the wording is checked directly; the opener maps EACCES to it.
        DeviceException ex = I2cErrors.PermissionDenied("/dev/i2c-1", new UnauthorizedAccessException());

        Assert.Equal("permission", ex.Kind);
        Assert.Equal("Permission denied opening /dev/i2c-1: add the service user to the 'i2c' group, e.g. 'sudo usermod -aG i2c smartcity-edge', then restart the service.", ex.Message);
    }

    private static IDeviceDriver Create(I2cDriverFactory factory, int bus)
    {
        var settings = new I2cSettings(bus, 0x76, I2cSensorKind.Bme280, [new I2cTagSettings("t", I2cQuantity.Temperature, I2cUnit.DegreesCelsius)]);
        var device = new DeviceDescriptor("cabinet_climate", "i2c", TimeSpan.FromSeconds(10), [new TagDescriptor("t", "°C")]);
        return factory.Create(device, settings, new DriverContext(NullLoggerFactory.Instance, new FakeTimeProvider(), Path.GetTempPath()));
    }
}
