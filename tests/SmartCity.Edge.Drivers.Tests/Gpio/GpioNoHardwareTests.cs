using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers.Gpio;

namespace SmartCity.Edge.Drivers.Tests.Gpio;

/// <summary>
/// The production chip opener on this machine, which has no GPIO: the failure must be a <see cref="DeviceException"/>
/// a technician can act on, and the supervisor's dispose-and-retry cycle must not throw anything else.
/// </summary>
public sealed class GpioNoHardwareTests : IDisposable
{
    private readonly string _devices = Directory.CreateTempSubdirectory("smartcity-gpio-").FullName;

    public void Dispose() => Directory.Delete(_devices, recursive: true);

    [Fact]
    public async Task Connect_MachineWithoutGpio_DeviceExceptionNamingTheNode()
    {
        // CI has no GPIO: chip 0 is missing. On a board with GPIO the test asks for a chip that cannot exist instead.
        bool hasGpio = Directory.GetFiles("/dev", "gpiochip*").Length > 0;
        int chip = hasGpio ? 255 : 0;
        var factory = new GpioDriverFactory();

        for (int attempt = 0; attempt < 2; attempt++)
        {
            // As the supervisor does: create, connect, fail, dispose, back off, create again.
            IDeviceDriver driver = CreateDriver(factory, chip);
            var ex = await Assert.ThrowsAsync<DeviceException>(() => driver.ConnectAsync(new CollectingSink(), CancellationToken.None).AsTask());
            await driver.DisposeAsync();

            Assert.Equal("missing", ex.Kind);
            if (hasGpio)
            {
                Assert.StartsWith("GPIO chip /dev/gpiochip255 does not exist: available: /dev/gpiochip", ex.Message);
            }
            else
            {
                Assert.Equal("GPIO chip /dev/gpiochip0 does not exist: this machine has no GPIO chip at all (no /dev/gpiochip*); GPIO devices only work on a board with GPIO such as a Raspberry Pi.", ex.Message);
            }
        }
    }

    [Fact]
    public void Open_OtherChipsPresent_ListsThemAndNamesTheKey()
    {
        File.WriteAllBytes(Path.Combine(_devices, "gpiochip0"), []);
        File.WriteAllBytes(Path.Combine(_devices, "gpiochip4"), []);

        var ex = Assert.Throws<DeviceException>(() => new LibGpiodChipOpener(_devices).Open(1));

        Assert.Contains($"GPIO chip {_devices}/gpiochip1 does not exist: available: {_devices}/gpiochip0, {_devices}/gpiochip4; set gpio_chip to one of them", ex.Message);
    }

    [Fact]
    public void Open_NodePresentButNoUsableLibgpiodChip_DeviceExceptionNamingTheNode()
    {
        // The node passes the existence and permission checks; libgpiod (absent here, or present with no real chip) then fails.
        File.WriteAllBytes(Path.Combine(_devices, "gpiochip0"), []);

        var ex = Assert.Throws<DeviceException>(() => new LibGpiodChipOpener(_devices).Open(0));

        Assert.StartsWith($"Cannot open {_devices}/gpiochip0: ", ex.Message);
        Assert.NotNull(ex.InnerException);
    }

    [Fact]
    public void PermissionDenied_Message_NamesNodeAndGroups()
    {
        // Root (as CI runs) is never denied, so the wording is checked directly; the opener maps EACCES to it.
        DeviceException ex = GpioErrors.PermissionDenied("/dev/gpiochip0", new UnauthorizedAccessException());

        Assert.Equal("permission", ex.Kind);
        Assert.Contains("/dev/gpiochip0", ex.Message);
        Assert.Contains("'gpio'", ex.Message);
        Assert.Contains("'dialout'", ex.Message);
        Assert.Contains("usermod -aG gpio", ex.Message);
    }

    private static IDeviceDriver CreateDriver(GpioDriverFactory factory, int chip)
    {
        var settings = new GpioSettings(chip, [new GpioTagSettings("door", 17, GpioDirection.Input, GpioPull.Up, true, TimeSpan.FromMilliseconds(20), false)]);
        var device = new DeviceDescriptor("cabinet", "gpio", TimeSpan.FromSeconds(1), [new TagDescriptor("door", null)]);
        return factory.Create(device, settings, new DriverContext(NullLoggerFactory.Instance, new FakeTimeProvider(), Path.GetTempPath()));
    }
}
