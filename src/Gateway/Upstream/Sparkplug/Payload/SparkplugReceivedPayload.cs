namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>A received Sparkplug B payload (§6.4.5), read by <see cref="SparkplugPayloadReader"/>. Absent fields are null.</summary>
internal sealed class SparkplugReceivedPayload
{
    public ulong? Timestamp { get; set; }

    public ulong? Seq { get; set; }

    public string? Uuid { get; set; }

    public bool HasBody { get; set; }

    public List<SparkplugReceivedMetric> Metrics { get; } = [];
}
