namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;

/// <summary>What the NBIRTH says about the gateway itself, and the alarms it announces as node metrics.</summary>
/// <param name="SoftwareVersion">The gateway's version (<c>Properties/Software Version</c>).</param>
/// <param name="AlarmIds">The configured alarms, announced in every NBIRTH; alarms seen later (a device's own) cause a rebirth.</param>
internal sealed record SparkplugNodeDescription(string SoftwareVersion, IReadOnlyList<string> AlarmIds)
{
    public const string Software = "SmartCity.Edge";
}
