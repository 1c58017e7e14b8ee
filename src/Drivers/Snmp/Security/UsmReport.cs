namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// What a Report PDU's first varbind says (RFC 3414 §3.2 usmStats, RFC 3412 §7.2 snmpMPDStats, RFC 3413 snmpTarget):
/// a Report is an error, never data. Each has a technician's message.
/// </summary>
internal static class UsmReport
{
    public static readonly SnmpOid UnsupportedSecLevels = SnmpOid.Parse("1.3.6.1.6.3.15.1.1.1.0");
    public static readonly SnmpOid NotInTimeWindows = SnmpOid.Parse("1.3.6.1.6.3.15.1.1.2.0");
    public static readonly SnmpOid UnknownUserNames = SnmpOid.Parse("1.3.6.1.6.3.15.1.1.3.0");
    public static readonly SnmpOid UnknownEngineIds = SnmpOid.Parse("1.3.6.1.6.3.15.1.1.4.0");
    public static readonly SnmpOid WrongDigests = SnmpOid.Parse("1.3.6.1.6.3.15.1.1.5.0");
    public static readonly SnmpOid DecryptionErrors = SnmpOid.Parse("1.3.6.1.6.3.15.1.1.6.0");

    private static readonly SnmpOid s_mpdStats = SnmpOid.Parse("1.3.6.1.6.3.11.2.1");
    private static readonly SnmpOid s_unknownContexts = SnmpOid.Parse("1.3.6.1.6.3.12.1.5.0");
    private static readonly SnmpOid s_unavailableContexts = SnmpOid.Parse("1.3.6.1.6.3.12.1.4.0");

    /// <summary>The error a Report stands for, with the <see cref="SnmpException.Kind"/> and a technician's message.</summary>
    public static SnmpException ToException(SnmpPdu report, string user)
    {
        SnmpOid oid = report.VarBinds.Count > 0 ? report.VarBinds[0].Oid : default;
        (string kind, string message) = oid switch
        {
            _ when oid == UnsupportedSecLevels => ("security_level", $"the agent refused the security level: user '{user}' is not configured for it there (e.g. authPriv asked of an auth-only user, or the agent wants more)"),
            _ when oid == NotInTimeWindows => ("time_window", "the agent's engine time is outside the 150 s window even after resynchronising"),
            _ when oid == UnknownUserNames => ("unknown_user", $"unknown user '{user}': the agent has no such SNMPv3 user (usmStatsUnknownUserNames)"),
            _ when oid == UnknownEngineIds => ("unknown_engine", "the agent does not know the engine ID we used (usmStatsUnknownEngineIDs)"),
            _ when oid == WrongDigests => ("auth", $"authentication failed for user '{user}': wrong auth password or auth protocol (usmStatsWrongDigests)"),
            _ when oid == DecryptionErrors => ("auth", $"the agent could not decrypt our request for user '{user}': wrong priv password or priv protocol (usmStatsDecryptionErrors)"),
            _ when oid == s_unknownContexts => ("protocol", "the agent does not know the context name (snmpUnknownContexts)"),
            _ when oid == s_unavailableContexts => ("protocol", "the context is unavailable at the agent (snmpUnavailableContexts)"),
            _ when oid.IsBelow(s_mpdStats) => ("protocol", $"the agent rejected the message ({oid})"),
            _ => ("protocol", $"the agent sent a Report ({(oid.IsEmpty ? "no varbind" : oid.ToString())})"),
        };
        return new SnmpException(message, kind);
    }
}
