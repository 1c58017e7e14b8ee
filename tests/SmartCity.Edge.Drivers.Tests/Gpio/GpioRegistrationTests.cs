using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using SmartCity.Edge.Drivers.Gpio;

namespace SmartCity.Edge.Drivers.Tests.Gpio;

/// <summary>The pieces the gateway sees: the DI registration and the shipped sample configuration.</summary>
public sealed class GpioRegistrationTests
{
    [Fact]
    public void AddGpioDriver_CalledTwice_RegistersOneFactoryUsingTheRegisteredOpener()
    {
        var opener = new FakeGpioChipOpener(new FakeGpioDriver());
        var services = new ServiceCollection();
        services.AddSingleton<IGpioChipOpener>(opener);

        services.AddGpioDriver().AddGpioDriver();

        ServiceDescriptor factory = Assert.Single(services, d => d.ServiceType == typeof(IDriverFactory));
        Assert.Single(services, d => d.ServiceType == typeof(IGpioChipOpener));
        var created = Assert.IsType<GpioDriverFactory>(factory.ImplementationFactory!(new SingleServiceProvider(opener)));
        Assert.Equal(["gpio"], created.DriverNames);
    }

    [Fact]
    public void SampleYaml_ReadsWithoutProblems()
    {
        string sample = Path.Combine(RepositoryRoot(), "src", "Drivers", "Gpio", "sample.yaml");

        var (_, settings, problems) = DeviceConfig.Read(File.ReadAllText(sample), new GpioDriverFactory(new FakeGpioChipOpener(new FakeGpioDriver())), "sample.yaml");

        Assert.Empty(problems);
        Assert.Equal(3, Assert.IsType<GpioSettings>(settings).Tags.Count);
    }

    internal static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    /// <summary>Just enough of a container to run a registration's factory delegate.</summary>
    internal sealed class SingleServiceProvider(object service) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType.IsInstanceOfType(service) ? service : null;
    }
}
