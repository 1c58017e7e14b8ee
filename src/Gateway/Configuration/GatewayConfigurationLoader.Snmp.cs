using System.Net;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>snmp_traps:</c> section (the trap and inform listener, docs/snmp.md).</summary>
public sealed partial class GatewayConfigurationLoader
{
    private static SnmpTrapListenerSettings? ReadSnmpTraps(ConfigSection root)
    {
        if (!root.Has("snmp_traps"))
        {
            return null;
        }

        ConfigSection? section = root.GetSection("snmp_traps");
        if (section is null)
        {
            // `snmp_traps:` with nothing after it: the listener with its defaults.
            return new SnmpTrapListenerSettings(SnmpTrapListenerSettings.DefaultListen, StrictTimeWindow: false, EngineId: null);
        }

        string listen = section.GetString("listen", "127.0.0.1:162")!;
        bool strict = section.GetBoolean("strict_time_window", false);
        string? engineText = section.GetString("engine_id");
        section.ReportUnknownKeys();

        IPEndPoint endpoint = SnmpTrapListenerSettings.DefaultListen;
        if (!IPEndPoint.TryParse(listen, out IPEndPoint? parsed) || !listen.Contains(':', StringComparison.Ordinal))
        {
            section.Error("listen", $"'{listen}' is not an address and port (write 0.0.0.0:162 for every interface, or one interface's address)");
        }
        else
        {
            endpoint = parsed;
        }

        byte[]? engineId = null;
        if (engineText is not null)
        {
            string hex = engineText.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? engineText[2..] : engineText;
            try
            {
                engineId = Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                engineId = null;
            }

            if (engineId is null || engineId.Length is < 5 or > 32)
            {
                section.Error("engine_id", "must be 5 to 32 octets in hex (e.g. 0x80000000050102030405060708), or left out to make one");
            }
        }

        return new SnmpTrapListenerSettings(endpoint, strict, engineId);
    }
}
