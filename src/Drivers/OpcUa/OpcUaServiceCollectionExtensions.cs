using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SmartCity.Edge.Drivers.OpcUa;

public static class OpcUaServiceCollectionExtensions
{
    /// <summary>Registers <c>driver: opcua</c>.</summary>
    public static IServiceCollection AddOpcUaDriver(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDriverFactory, OpcUaDriverFactory>());
        return services;
    }
}
