namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>One event of a connection, tagged with the connection it came on: events of a closed connection are dropped.</summary>
/// <param name="Connection">The connection's number (<see cref="SparkplugMqttSession.Connection"/>).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Topic">The message's topic.</param>
/// <param name="Payload">A copy of the payload (bounded by the receive handler).</param>
/// <param name="Detail">Why a message was rejected, or why the connection closed.</param>
internal sealed record SparkplugSessionEvent(long Connection, SparkplugSessionEventKind Kind, string Topic, byte[] Payload, string? Detail = null)
{
    /// <summary>A rejected message was longer than its kind may be (a DCMD's refusal is then <c>too_large</c>).</summary>
    public bool Oversized { get; init; }
}
