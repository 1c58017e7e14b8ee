using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Runs the trap and inform listener of <c>snmp_traps:</c> until cancelled: starts the local engine (its boots kept in
/// the data directory), listens, and when the port cannot be bound logs it and tries again every 30 s, the devices
/// polling meanwhile. The traps go to the devices of the given SNMP driver factories. The host wraps this in a
/// BackgroundService; nothing here needs a container.
/// </summary>
public static class SnmpTrapReceiver
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(SnmpTrapListenerSettings settings, string dataDirectory, IEnumerable<IDriverFactory> factories, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        // The devices of the first configuration were made by the loader's factory, those of a reload by the host's:
        // the listener looks in the routers of both.
        SnmpTrapRouter[] routers = factories.OfType<SnmpDriverFactory>().Select(f => f.Router).Distinct().ToArray();
        SnmpLocalEngine engine = SnmpLocalEngine.Start(dataDirectory, settings.EngineId, time, out string? saveError);
        if (saveError is not null)
        {
            Log.EngineStateNotSaved(logger, dataDirectory, saveError);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var listener = new SnmpTrapListener(settings, routers, engine, time, logger);
                await listener.RunAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SnmpException ex)
            {
                Log.ListenerFailed(logger, ex.Message, RetryInterval.TotalSeconds);
            }

            try
            {
                await Task.Delay(RetryInterval, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
