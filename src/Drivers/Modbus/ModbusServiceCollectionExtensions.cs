using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace SmartCity.Edge.Drivers.Modbus;

public static class ModbusServiceCollectionExtensions
{
    /// <summary>Registers the <c>modbus-tcp</c>, <c>modbus-rtu</c> and <c>modbus-rtu-over-tcp</c> drivers.</summary>
    public static IServiceCollection AddModbusDriver(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDriverFactory, ModbusDriverFactory>());
        return services;
    }
}
