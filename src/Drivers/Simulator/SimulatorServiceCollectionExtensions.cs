using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SmartCity.Edge.Drivers.Simulator;

public static class SimulatorServiceCollectionExtensions
{
    public static IServiceCollection AddSimulatorDriver(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDriverFactory, SimulatorDriverFactory>());
        return services;
    }
}
