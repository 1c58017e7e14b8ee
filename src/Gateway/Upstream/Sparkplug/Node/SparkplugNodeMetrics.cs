namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;

/// <summary>Names of the edge node's own metrics (§6.4.19 and §4.2.1.1.2 for bdSeq and Node Control).</summary>
internal static class SparkplugNodeMetrics
{
    public const string BdSeq = "bdSeq";

    /// <summary>A host writes true here to ask for NBIRTH and every DBIRTH again (§5.17).</summary>
    public const string Rebirth = "Node Control/Rebirth";

    /// <summary>A host writes true here to send the edge node to the next server of its list (§4.2.1.1.2).</summary>
    public const string NextServer = "Node Control/Next Server";

    public const string Software = "Properties/Software";

    public const string SoftwareVersion = "Properties/Software Version";

    public const string OperatingSystem = "Properties/OS";
}
