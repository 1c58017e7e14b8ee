using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SmartCity.Edge.Drivers.Snmp;

public static class SnmpServiceCollectionExtensions
{
    /// <summary>Registers the <c>snmp</c> driver and the trap router its devices and the trap listener share.</summary>
    public static IServiceCollection AddSnmpDriver(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => new SnmpTrapRouter());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDriverFactory, SnmpDriverFactory>(sp => new SnmpDriverFactory(sp.GetRequiredService<SnmpTrapRouter>())));
        return services;
    }
}
