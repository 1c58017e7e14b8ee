namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>The <c>events:</c> block of an <c>opcua</c> device: which event notifiers to watch for alarms &amp; conditions.</summary>
/// <param name="Notifiers">Objects whose events are monitored (default: the Server object, i=2253, which sees every event).</param>
/// <param name="SeverityMap">OPC UA severity → gateway severity.</param>
/// <param name="QueueSize">Events the server queues per notifier between publishes (a burst of alarms, a refresh).</param>
public sealed record OpcUaEventSettings(IReadOnlyList<UaNodeId> Notifiers, OpcUaSeverityMap SeverityMap, uint QueueSize)
{
    public const uint DefaultQueueSize = 1000;

    public static OpcUaEventSettings Default { get; } = new([UaTypeIds.Server], OpcUaSeverityMap.Default, DefaultQueueSize);
}
