using System.Runtime.CompilerServices;
using SmartCity.Edge.Drivers.Gpio;

namespace SmartCity.Edge.Drivers.Tests.Gpio;

/// <summary>Configuration cases as data: <c>testcases/&lt;case&gt;/device.yaml</c> and the problems expected, with line and column.</summary>
public sealed class GpioConfigTests
{
    public static IEnumerable<object[]> ConfigCases => DeviceConfig.Cases(SourceDirectory());

    [Theory]
    [MemberData(nameof(ConfigCases))]
    public void ReadSettings_ConfigCase_ReportsExpectedProblems(string name)
    {
        (string[] expected, string[] actual) = DeviceConfig.RunCase(SourceDirectory(), name, NewFactory());

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ReadSettings_MinimalTags_AppliesDefaults()
    {
        var (_, settings, problems) = DeviceConfig.Read("""
            devices:
              - id: cabinet
                driver: gpio
                tags:
                  - id: door
                    pin: 17
                  - id: siren
                    pin: 22
                    direction: output
            """, NewFactory());

        Assert.Empty(problems);
        var gpio = Assert.IsType<GpioSettings>(settings);
        Assert.Equal(0, gpio.Chip);
        Assert.Equal(new GpioTagSettings("door", 17, GpioDirection.Input, GpioPull.None, false, TimeSpan.FromMilliseconds(20), false), gpio.Tags[0]);
        Assert.Equal(new GpioTagSettings("siren", 22, GpioDirection.Output, GpioPull.None, false, TimeSpan.FromMilliseconds(20), false), gpio.Tags[1]);
    }

    [Fact]
    public void ReadSettings_AllKeys_AreRead()
    {
        var (_, settings, problems) = DeviceConfig.Read("""
            devices:
              - id: cabinet
                driver: gpio
                gpio_chip: 4
                tags:
                  - id: door
                    pin: 17
                    pull: up
                    active_low: true
                    debounce: 50ms
                  - id: siren
                    pin: 0x16
                    direction: output
                    safe_state: on
            """, NewFactory());

        Assert.Empty(problems);
        var gpio = Assert.IsType<GpioSettings>(settings);
        Assert.Equal(4, gpio.Chip);
        Assert.Equal(new GpioTagSettings("door", 17, GpioDirection.Input, GpioPull.Up, true, TimeSpan.FromMilliseconds(50), false), gpio.Tags[0]);
        Assert.Equal(new GpioTagSettings("siren", 22, GpioDirection.Output, GpioPull.None, false, TimeSpan.FromMilliseconds(20), true), gpio.Tags[1]);
    }

    private static GpioDriverFactory NewFactory() => new(new FakeGpioChipOpener(new FakeGpioDriver()));

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
