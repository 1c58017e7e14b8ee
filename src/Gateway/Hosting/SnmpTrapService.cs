using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Snmp;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// Runs the SNMP trap and inform listener of <c>snmp_traps:</c> (src/Drivers/Snmp's <see cref="SnmpTrapReceiver"/> does
/// the protocol and the retry; the devices it feeds attach through the driver factories' routers).
/// </summary>
internal sealed class SnmpTrapService : BackgroundService
{
    private readonly GatewayConfiguration _configuration;
    private readonly IReadOnlyList<IDriverFactory> _factories;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SnmpTrapService(GatewayConfiguration configuration, IEnumerable<IDriverFactory> factories, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _configuration = configuration;

        // The devices of the first configuration were made by the loader's factory, those of a reload by the host's.
        _factories = configuration.Devices.Select(d => d.Factory).Concat(factories).ToArray();
        _time = time;
        _logger = loggerFactory.CreateLogger("SmartCity.Edge.Drivers.Snmp.Traps");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _configuration.SnmpTraps is { } settings
            ? SnmpTrapReceiver.RunAsync(settings, _configuration.Gateway.DataDirectory, _factories, _time, _logger, stoppingToken)
            : Task.CompletedTask;
}
