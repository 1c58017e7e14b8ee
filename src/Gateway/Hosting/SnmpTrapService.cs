using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Snmp;
using SmartCity.Edge.Gateway.Configuration;
using Log = SmartCity.Edge.Drivers.Snmp.Log;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// Runs the SNMP trap and inform listener of <c>snmp_traps:</c> (src/Drivers/Snmp does the protocol; the devices it
/// feeds attach through the driver factory's router). A port that cannot be bound is logged and tried again every
/// 30 s: the devices keep polling meanwhile.
/// </summary>
internal sealed class SnmpTrapService : BackgroundService
{
    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(30);

    private readonly GatewayConfiguration _configuration;
    private readonly IReadOnlyList<SnmpTrapRouter> _routers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SnmpTrapService(GatewayConfiguration configuration, IEnumerable<IDriverFactory> factories, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _configuration = configuration;

        // The devices of the first configuration were made by the loader's factory, those of a reload by the host's:
        // the listener looks in the routers of both.
        _routers = configuration.Devices.Select(d => d.Factory).Concat(factories).OfType<SnmpDriverFactory>()
            .Select(f => f.Router).Distinct().ToArray();
        _time = time;
        _logger = loggerFactory.CreateLogger("SmartCity.Edge.Drivers.Snmp.Traps");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_configuration.SnmpTraps is not { } settings)
        {
            return;
        }

        SnmpLocalEngine engine = SnmpLocalEngine.Start(_configuration.Gateway.DataDirectory, settings.EngineId, _time, out string? saveError);
        if (saveError is not null)
        {
            Log.EngineStateNotSaved(_logger, _configuration.Gateway.DataDirectory, saveError);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var listener = new SnmpTrapListener(settings, _routers, engine, _time, _logger);
                await listener.RunAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (SnmpException ex)
            {
                Log.ListenerFailed(_logger, ex.Message, s_retry.TotalSeconds);
            }

            try
            {
                await Task.Delay(s_retry, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
