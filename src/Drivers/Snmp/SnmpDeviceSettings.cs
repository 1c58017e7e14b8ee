namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>Validated settings of a <c>driver: snmp</c> device (see sample.yaml for each key).</summary>
internal sealed record SnmpDeviceSettings(
    string Host,
    int Port,
    SnmpVersion Version,
    string Community,
    SnmpV3Credentials? Credentials,
    string ContextName,
    TimeSpan Timeout,
    int Retries,
    int MaxOidsPerRequest,
    int MaxRepetitions,
    int MaxRows,
    IReadOnlyList<SnmpTagSettings> Tags,
    IReadOnlyList<SnmpTrapRule> TrapRules) : DriverSettings
{
    /// <summary>The <c>profile:</c> preset, or null.</summary>
    public string? Profile { get; init; }

    /// <summary>Community of this device's v1/v2c traps (default: <see cref="Community"/>).</summary>
    public string TrapCommunity { get; init; } = "public";

    /// <summary>The profile's tags that the <c>tags:</c> list did not override, for the gateway's tag list.</summary>
    public IReadOnlyList<TagDescriptor> ProfileTags { get; init; } = [];

    public override bool ReportsDeviceAlarms => TrapRules.Count > 0;

    public override IReadOnlyList<TagDescriptor> ImpliedTags => ProfileTags;

    /// <summary>Keeps the community and passwords out of logs and exception messages.</summary>
    public override string ToString() => $"SnmpDeviceSettings {{ Host = {Host}:{Port}, Version = {Version}, User = {Credentials?.User ?? "-"}, Tags = {Tags.Count}, Traps = {TrapRules.Count} }}";
}
