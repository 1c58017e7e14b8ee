using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SmartCity.Edge.Drivers.Gpio;

public static class GpioServiceCollectionExtensions
{
    /// <summary>Registers <c>driver: gpio</c>. Chips are opened through libgpiod unless an <see cref="IGpioChipOpener"/> is registered first.</summary>
    public static IServiceCollection AddGpioDriver(this IServiceCollection services)
    {
        services.TryAddSingleton<IGpioChipOpener>(_ => new LibGpiodChipOpener());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDriverFactory, GpioDriverFactory>(
            provider => new GpioDriverFactory(provider.GetRequiredService<IGpioChipOpener>())));
        return services;
    }
}
