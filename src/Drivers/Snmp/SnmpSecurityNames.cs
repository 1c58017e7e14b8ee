namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The names of SNMP versions and USM protocols, in YAML (<c>version:</c>, <c>auth.protocol:</c>, <c>priv.protocol:</c>)
/// and on the CLI (<c>--version</c>, <c>--auth-protocol</c>, <c>--priv-protocol</c>): one table each.
/// </summary>
public static class SnmpSecurityNames
{
    public static IReadOnlyDictionary<string, SnmpVersion> Versions { get; } = new Dictionary<string, SnmpVersion>(StringComparer.Ordinal)
    {
        ["1"] = SnmpVersion.V1,
        ["2c"] = SnmpVersion.V2c,
        ["3"] = SnmpVersion.V3,
    };

    public static IReadOnlyDictionary<string, SnmpAuthProtocol> AuthProtocols { get; } = new Dictionary<string, SnmpAuthProtocol>(StringComparer.Ordinal)
    {
        ["md5"] = SnmpAuthProtocol.Md5,
        ["sha"] = SnmpAuthProtocol.Sha1,
        ["sha1"] = SnmpAuthProtocol.Sha1,
        ["sha224"] = SnmpAuthProtocol.Sha224,
        ["sha256"] = SnmpAuthProtocol.Sha256,
        ["sha384"] = SnmpAuthProtocol.Sha384,
        ["sha512"] = SnmpAuthProtocol.Sha512,
    };

    public static IReadOnlyDictionary<string, SnmpPrivProtocol> PrivProtocols { get; } = new Dictionary<string, SnmpPrivProtocol>(StringComparer.Ordinal)
    {
        ["aes"] = SnmpPrivProtocol.Aes128,
        ["aes128"] = SnmpPrivProtocol.Aes128,
        ["des"] = SnmpPrivProtocol.Des,
    };

    /// <summary>The USM levels as net-snmp's <c>-l</c> spells them (RFC 3414 §2.4).</summary>
    public static IReadOnlyDictionary<string, SnmpSecurityLevel> Levels { get; } = new Dictionary<string, SnmpSecurityLevel>(StringComparer.Ordinal)
    {
        ["noAuthNoPriv"] = SnmpSecurityLevel.NoAuthNoPriv,
        ["authNoPriv"] = SnmpSecurityLevel.AuthNoPriv,
        ["authPriv"] = SnmpSecurityLevel.AuthPriv,
    };
}
