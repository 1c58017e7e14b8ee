namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>What MQTTnet's receive loop hands the edge node's loop.</summary>
internal enum SparkplugSessionEventKind : byte
{
    /// <summary>A message on our NCMD topic.</summary>
    NodeCommand,

    /// <summary>A message on one of our DCMD topics.</summary>
    DeviceCommand,

    /// <summary>A message on the Primary Host's STATE topic.</summary>
    HostState,

    /// <summary>A message we ignore without reading it (too big, retained command, a topic we did not subscribe to); the reason is in the event.</summary>
    Rejected,

    /// <summary>The connection closed.</summary>
    Disconnected,
}
