using Microsoft.Extensions.DependencyInjection;
using SmartCity.Edge.Drivers.Gpio;
using SmartCity.Edge.Drivers.I2c;
using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.OpcUa;
using SmartCity.Edge.Drivers.Simulator;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>The one place that lists the drivers this build ships. Adding a driver adds one line here.</summary>
internal static class DriverCatalog
{
    public static IServiceCollection AddAllDrivers(this IServiceCollection services)
    {
        services.AddSimulatorDriver();
        services.AddGpioDriver();
        services.AddI2cDriver();
        services.AddModbusDriver();
        services.AddOpcUaDriver();
        services.AddSnmpDriver();
        return services;
    }
}
