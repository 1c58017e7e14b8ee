namespace SmartCity.Edge.Gateway.Cli;

/// <summary>What an alarm rule's condition says about the value <c>smartcity-edge test</c> read.</summary>
internal enum AlarmPreviewState
{
    /// <summary>The condition holds: the service would raise the alarm (after its delay, if any).</summary>
    Active,

    /// <summary>The condition does not hold.</summary>
    Inactive,

    /// <summary>No usable value: the tag was bad, never reported, or the rule needs two readings (rate of change).</summary>
    Unknown,
}
