using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SmartCity.Edge.Drivers.I2c;

public static class I2cServiceCollectionExtensions
{
    /// <summary>Registers <c>driver: i2c</c>. Buses are opened through Linux i2c-dev unless an <see cref="II2cBusOpener"/> is registered first.</summary>
    public static IServiceCollection AddI2cDriver(this IServiceCollection services)
    {
        services.TryAddSingleton<II2cBusOpener>(_ => new LinuxI2cBusOpener());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDriverFactory, I2cDriverFactory>(
            provider => new I2cDriverFactory(provider.GetRequiredService<II2cBusOpener>())));
        return services;
    }
}
