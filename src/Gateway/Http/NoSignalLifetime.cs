using Microsoft.Extensions.Hosting;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>
/// The embedded web host must not install its own SIGTERM/Ctrl-C handling: the gateway's host owns the process
/// lifetime and stops the web host itself.
/// </summary>
internal sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
