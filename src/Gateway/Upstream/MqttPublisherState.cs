namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// Where <see cref="MqttPublisher"/> is in its life. Whether the TCP connection is up at this instant is MQTTnet's to
/// say (<c>IsConnected</c>); this is what the publisher itself is doing, and it decides what a publish, a connect
/// attempt and a failed attempt mean.
/// </summary>
/// <remarks>
/// <code>
///   Disconnected ──connect──▶ Connecting ──ok──▶ Connected ──dropped──▶ Disconnected
///                                  └──failed──▶ Disconnected
///   any but Closed ──reload──▶ Switching ──settings switched──▶ Disconnected
///   any ──close──▶ Closed (final)
/// </code>
/// </remarks>
internal enum MqttPublisherState
{
    /// <summary>Not connected and not trying: the forwarder's next publish connects.</summary>
    Disconnected,

    /// <summary>A connect attempt is in progress (it holds the connect gate).</summary>
    Connecting,

    /// <summary>Connected, announced online and subscribed to the command topics.</summary>
    Connected,

    /// <summary>A reload is switching settings: publishes and connects are refused, and an attempt that fails now failed for that reason.</summary>
    Switching,

    /// <summary>Closed at shutdown: nothing connects again.</summary>
    Closed,
}
