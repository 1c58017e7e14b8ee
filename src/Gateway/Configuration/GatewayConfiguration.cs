using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The whole validated configuration file. Built only by <see cref="GatewayConfigurationLoader"/> when the file has no problem.</summary>
public sealed record GatewayConfiguration(
    string SourceFile,
    GatewayIdentity Gateway,
    IReadOnlyList<DeviceConfiguration> Devices,
    IReadOnlyList<AlarmRule> Alarms,
    BufferOptions Buffer,
    UpstreamConfiguration Upstream)
{
    /// <summary>The <c>http:</c> section; an init property so that existing constructions need no change.</summary>
    public HttpConfiguration Http { get; init; } = HttpConfiguration.Default;

    /// <summary>The <c>alarm_options:</c> section (rate limit, built-in offline and bad-quality alarms).</summary>
    public AlarmOptions AlarmOptions { get; init; } = AlarmOptions.Default;

    /// <summary>The <c>webhooks:</c> section.</summary>
    public IReadOnlyList<WebhookConfiguration> Webhooks { get; init; } = [];

    /// <summary>The <c>commands:</c> section: keys for signed operator commands; applied live by a reload.</summary>
    public CommandsConfiguration Commands { get; init; } = CommandsConfiguration.Default;
    /// <summary>The <c>snmp_traps:</c> section; null: no trap listener.</summary>
    public SmartCity.Edge.Drivers.Snmp.SnmpTrapListenerSettings? SnmpTraps { get; init; }
}
