namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>
/// The edge node's session (§5.2 to §5.5). Transitions happen only on the edge node's loop
/// (<see cref="SparkplugEdgeNode"/>), so an NBIRTH can never follow an NDEATH of the same connection.
/// </summary>
internal enum SparkplugSessionState : byte
{
    /// <summary>No connection: readings are buffered; waiting out a backoff or for the next server.</summary>
    Disconnected,

    /// <summary>Connected and subscribed (NCMD, DCMD, STATE), waiting for the Primary Host's online STATE before any birth.</summary>
    AwaitingHost,

    /// <summary>NBIRTH and DBIRTHs published: DATA flows, history is replayed.</summary>
    Born,

    /// <summary>Stopping for good: NDEATH and DISCONNECT sent or being sent.</summary>
    Stopped,
}
