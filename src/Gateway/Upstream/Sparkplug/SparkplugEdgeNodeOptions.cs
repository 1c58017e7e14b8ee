namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>The edge node's pacing and bounds. Defaults are what the service runs with; tests shorten the waits.</summary>
internal sealed record SparkplugEdgeNodeOptions
{
    /// <summary>Most metrics in one DATA message; a frame with more is split over several.</summary>
    public int MaxMetricsPerMessage { get; init; } = 1000;

    /// <summary>Live frames read per round before history gets a turn.</summary>
    public int LiveFramesPerRound { get; init; } = 256;

    /// <summary>Historical frames read per replay round.</summary>
    public int ReplayFramesPerRound { get; init; } = 64;

    /// <summary>
    /// How fast buffered history is replayed after the births, in metrics per second. Live data always goes first;
    /// this keeps a long outage's backlog from flooding the host (Cirrus Link's "Flush Period" does the same).
    /// </summary>
    public double ReplayMetricsPerSecond { get; init; } = 10_000;

    /// <summary>With several servers: how long to wait for the Primary Host's online STATE before trying the next one.</summary>
    public TimeSpan HostWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First and longest wait after every server of the list failed in a row.</summary>
    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan BackoffMaximum { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the NDEATH and DISCONNECT of a deliberate goodbye may take.</summary>
    public TimeSpan GoodbyeTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
