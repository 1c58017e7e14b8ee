using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// Drains the durable buffer to every configured upstream, each by its own loop (<see cref="UpstreamForwarder"/>)
/// with its own encoder and cursor: a slow or unreachable upstream holds up no other one, and a record is deleted
/// only once every upstream acknowledged it.
/// </summary>
internal sealed class ForwarderService : BackgroundService
{
    private readonly UpstreamForwarder[] _forwarders;

    /// <summary>Cancelled by <see cref="Reconfigure"/>: a retry waiting out its backoff goes at once with the new settings.</summary>
    private volatile CancellationTokenSource _settingsChanged = new();

    /// <summary>Upstreams with a loop of their own (Sparkplug), for <see cref="Connected"/> and <see cref="Publishers"/>.</summary>
    private readonly IUpstreamConnection[] _others;

    public ForwarderService(IDurableBuffer buffer, IEnumerable<UpstreamTarget> upstreams, TimeProvider time, ILogger<ForwarderService> logger, IEnumerable<IUpstreamConnection>? others = null)
    {
        _others = others?.ToArray() ?? [];
        _forwarders = upstreams.Select(u => new UpstreamForwarder(u, buffer, time, logger)).ToArray();
    }

    /// <summary>Messages acknowledged since start, all upstreams together (for metrics and tests).</summary>
    public long PublishedMessages => _forwarders.Sum(f => f.PublishedMessages);

    /// <summary>Alarm records every upstream acknowledged since start (for metrics).</summary>
    public long AcknowledgedAlarms => _forwarders.Length == 0 ? 0 : _forwarders.Min(f => f.AcknowledgedAlarms);

    /// <summary>Audit records every upstream acknowledged since start (for metrics).</summary>
    public long AcknowledgedAudit => _forwarders.Length == 0 ? 0 : _forwarders.Min(f => f.AcknowledgedAudit);

    /// <summary>Readings every upstream acknowledged since start (for metrics).</summary>
    public long AcknowledgedReadings => _forwarders.Length == 0 ? 0 : _forwarders.Min(f => f.AcknowledgedReadings);

    /// <summary>True while every publisher is connected.</summary>
    public bool Connected => _forwarders.All(f => f.Upstream.Publisher.IsConnected) && _others.All(o => o.IsConnected);

    public IReadOnlyList<IUpstreamConnection> Publishers => [.. _forwarders.Select(f => f.Upstream.Publisher), .. _others];

    public IReadOnlyList<UpstreamForwarder> Forwarders => _forwarders;

    /// <summary>
    /// New upstream settings were applied by a reload (the publisher already switched its connection): batches are
    /// rendered with the new settings (<c>max_batch</c>) from the next one on, and a reconnect waiting out its backoff
    /// goes now, with its outcome logged afresh.
    /// </summary>
    public void Reconfigure(UpstreamConfiguration upstream)
    {
        foreach (UpstreamForwarder forwarder in _forwarders)
        {
            forwarder.Upstream.Encoder.Reconfigure(upstream);
        }

        CancellationTokenSource previous = _settingsChanged;
        _settingsChanged = new CancellationTokenSource();
        // Not disposed: a loop may be linking to its token right now; it holds no timer to release.
        previous.Cancel();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (UpstreamForwarder forwarder in _forwarders)
        {
            await forwarder.Upstream.Publisher.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_forwarders.Select(f => Task.Run(() => f.RunAsync(() => _settingsChanged.Token, stoppingToken), CancellationToken.None)));
}
