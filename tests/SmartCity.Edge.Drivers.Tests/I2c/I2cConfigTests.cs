using System.Runtime.CompilerServices;
using SmartCity.Edge.Drivers.I2c;
using SmartCity.Edge.Drivers.Tests.Gpio;

namespace SmartCity.Edge.Drivers.Tests.I2c;

/// <summary>Configuration cases as data: <c>testcases/&lt;case&gt;/device.yaml</c> and the problems expected, with line and column.</summary>
public sealed class I2cConfigTests
{
    public static IEnumerable<object[]> ConfigCases => DeviceConfig.Cases(SourceDirectory());

    [Theory]
    [MemberData(nameof(ConfigCases))]
    public void ReadSettings_ConfigCase_ReportsExpectedProblems(string name)
    {
        (string[] expected, string[] actual) = DeviceConfig.RunCase(SourceDirectory(), name, NewFactory());

        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("bme280", 0x76)]
    [InlineData("sht3x", 0x44)]
    public void ReadSettings_NoBusOrAddress_DefaultsToPiHeaderBusAndSensorAddress(string sensor, int address)
    {
        var (_, settings, problems) = DeviceConfig.Read($"""
            devices:
              - id: climate
                driver: i2c
                sensor: {sensor}
                tags:
                  - id: t
                    quantity: temperature
            """, NewFactory());

        Assert.Empty(problems);
        var i2c = Assert.IsType<I2cSettings>(settings);
        Assert.Equal((1, address), (i2c.Bus, i2c.Address));
        Assert.Equal(new I2cTagSettings("t", I2cQuantity.Temperature, I2cUnit.DegreesCelsius), i2c.Tags[0]);
    }

    private static I2cDriverFactory NewFactory() => new(new FakeI2cBusOpener(new FakeBme280()));

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
