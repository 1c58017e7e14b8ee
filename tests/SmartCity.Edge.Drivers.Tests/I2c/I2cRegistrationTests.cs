using Microsoft.Extensions.DependencyInjection;
using SmartCity.Edge.Drivers.I2c;
using SmartCity.Edge.Drivers.Tests.Gpio;

namespace SmartCity.Edge.Drivers.Tests.I2c;

/// <summary>The pieces the gateway sees: the DI registration and the shipped sample configuration.</summary>
public sealed class I2cRegistrationTests
{
    [Fact]
    public void AddI2cDriver_CalledTwice_RegistersOneFactoryUsingTheRegisteredOpener()
    {
        var opener = new FakeI2cBusOpener(new FakeBme280());
        var services = new ServiceCollection();
        services.AddSingleton<II2cBusOpener>(opener);

        services.AddI2cDriver().AddI2cDriver();

        ServiceDescriptor factory = Assert.Single(services, d => d.ServiceType == typeof(IDriverFactory));
        Assert.Single(services, d => d.ServiceType == typeof(II2cBusOpener));
        var created = Assert.IsType<I2cDriverFactory>(factory.ImplementationFactory!(new GpioRegistrationTests.SingleServiceProvider(opener)));
        Assert.Equal(["i2c"], created.DriverNames);
    }

    [Fact]
    public void SampleYaml_ReadsWithoutProblems()
    {
        string sample = Path.Combine(GpioRegistrationTests.RepositoryRoot(), "src", "Drivers", "I2c", "sample.yaml");

        var (_, settings, problems) = DeviceConfig.Read(File.ReadAllText(sample), new I2cDriverFactory(new FakeI2cBusOpener(new FakeBme280())), "sample.yaml");

        Assert.Empty(problems);
        var i2c = Assert.IsType<I2cSettings>(settings);
        Assert.Equal((I2cSensorKind.Bme280, 1, 0x76, 3), (i2c.Sensor, i2c.Bus, i2c.Address, i2c.Tags.Count));
    }
}
