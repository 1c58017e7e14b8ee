using System.Net;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// What the technician CLI needs to reach an agent the way the service does: a configured device's client options
/// (<c>snmp get --config FILE --device ID</c>) and the driver's host resolution.
/// </summary>
public static class SnmpClientOptionsFactory
{
    /// <summary>Whether <paramref name="settings"/> are an SNMP device's (read by <see cref="SnmpDriverFactory"/>).</summary>
    public static bool IsSnmp(DriverSettings? settings) => settings is SnmpDeviceSettings;

    /// <summary>
    /// The client options the driver uses for a device: its host resolved, its version, community or USM user, context,
    /// timeout and retries. Throws <see cref="DeviceException"/> when the host cannot be resolved.
    /// </summary>
    public static async Task<SnmpClientOptions> ForDeviceAsync(DriverSettings settings, CancellationToken cancellationToken)
    {
        var snmp = (SnmpDeviceSettings)settings;
        IPAddress address = await SnmpDriver.ResolveAsync(snmp.Host, cancellationToken).ConfigureAwait(false);
        return SnmpDriver.CreateOptions(snmp, new IPEndPoint(address, snmp.Port));
    }

    /// <summary>The host as an address: a literal, or the first address DNS gives (IPv4 first). Throws <see cref="DeviceException"/>.</summary>
    public static Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken) => SnmpDriver.ResolveAsync(host, cancellationToken);
}
