using System.Net;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>The <c>snmp_traps:</c> section: where the gateway listens for traps and informs.</summary>
/// <param name="Listen">Address and port (default 127.0.0.1:162: nothing from the network until a technician opens it).</param>
/// <param name="StrictTimeWindow">
/// Reject v3 traps whose sender's engine time went back more than 150 s (RFC 3414 replay protection). Off by default:
/// many senders restart with boots 1 and a fresh time (snmptrap, cheap agents), and a lost on-battery trap is worse than
/// a replayed one. Informs (where the gateway is the authoritative engine) always enforce the window.
/// </param>
/// <param name="EngineId">Our engine ID for v3 informs (hex, 5–32 octets); null: made once and kept in data_dir.</param>
public sealed record SnmpTrapListenerSettings(IPEndPoint Listen, bool StrictTimeWindow, byte[]? EngineId)
{
    public static readonly IPEndPoint DefaultListen = new(IPAddress.Loopback, 162);

    public override string ToString() => $"SnmpTrapListenerSettings {{ Listen = {Listen}, StrictTimeWindow = {StrictTimeWindow} }}";
}
