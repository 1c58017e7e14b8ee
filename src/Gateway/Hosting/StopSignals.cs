using System.Runtime.InteropServices;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// Catches SIGTERM, SIGINT and SIGQUIT (and holds off SIGHUP) from the first moment of <c>run</c>, before the configuration is read and long
/// before the host's own lifetime installs its handlers (when it starts). Without it a stop in those first few hundred
/// milliseconds took the signal's default action (killed, exit 143); systemd may stop a service at any moment, and a
/// stop must always end in an orderly exit 0. Each signal only cancels <see cref="Token"/>; the host stops on it.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),

            // Last, so that a caught SIGHUP also says the stop handlers are in place. SIGHUP's default action would end
            // the process: a `systemctl reload` during start-up is dropped instead (the configuration is being read
            // then anyway); ConfigReloadService takes reloads over once the host runs.
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, static context => context.Cancel = true),
        ];
    }

    /// <summary>Cancelled by the first stop signal.</summary>
    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The default action would end the process on the spot; the host's shutdown does it in order instead.
        context.Cancel = true;
        _stop.Cancel();
    }
}
