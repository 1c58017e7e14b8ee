using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>
/// <c>upstream.sparkplug</c> in the service: the edge node's loop over the durable buffer, beside the forwarder loops
/// of the other upstreams. It is its own loop rather than an <see cref="UpstreamForwarder"/> because a Sparkplug
/// session decides what a record becomes (births first, history flagged <c>is_historical</c> behind live data,
/// DDEATH for a lost device) and when it counts as delivered (QoS 0 data, confirmed by the delivery check); it keeps
/// its own cursor in the buffer (<see cref="BufferRecordSource.UpstreamName"/>) like every upstream.
/// </summary>
internal sealed class SparkplugService : BackgroundService, IUpstreamConnection
{
    private readonly SparkplugEdgeNode _node;

    public SparkplugService(SparkplugUpstreamConfiguration sparkplug, GatewayConfiguration configuration, IDurableBuffer buffer, TimeProvider time, ILogger<SparkplugService> logger, SparkplugWriteChannel? writes = null)
    {
        var node = new SparkplugNodeDescription(
            SoftwareVersion(),
            AlarmDefinition.FromConfiguration(configuration).Select(a => a.Id).ToArray());
        _node = new SparkplugEdgeNode(sparkplug, node, new BufferRecordSource(buffer, logger), configuration.Gateway.DataDirectory, time, logger, writes: writes);
    }

    public SparkplugEdgeNode Node => _node;

    /// <summary>The label of its <c>upstream_connected</c> series and status page row.</summary>
    public string Name => BufferRecordSource.UpstreamName;

    /// <summary>Born on a broker: DATA flows (connected but waiting for the Primary Host, nothing is delivered).</summary>
    public bool IsConnected => _node.State == Session.SparkplugSessionState.Born;

    public override void Dispose()
    {
        _node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose();
    }

    /// <summary>Runs until the host stops; the node's goodbye (NDEATH, DISCONNECT) is part of its run.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _node.RunAsync(stoppingToken);

    private static string SoftwareVersion() =>
        typeof(SparkplugService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
