namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// One <c>traps:</c> rule: a notification (by snmpTrapOID; v1 traps translated per RFC 3584 §3.1) raises the device
/// alarm <see cref="Alarm"/>; <see cref="ClearTrap"/> clears it. Without a clearing trap the alarm is an event: raised
/// and cleared at once, kept until acknowledged. <see cref="Match"/> narrows the raising trap (and
/// <see cref="ClearMatch"/> the clearing one) to those carrying a given varbind value, e.g. UPS-MIB
/// upsAlarmEntryAdded whose upsAlarmDescr is upsAlarmLowBattery.
/// </summary>
internal sealed record SnmpTrapRule(
    SnmpOid Trap,
    string Alarm,
    DeviceAlarmSeverity Severity,
    string Message,
    SnmpOid? ClearTrap,
    SnmpVarBindMatch? Match,
    SnmpVarBindMatch? ClearMatch)
{
    public bool IsEvent => ClearTrap is null;
}

/// <summary>A trap carries a varbind at or below <see cref="Oid"/> whose value (as text: number, OID, string) is <see cref="Value"/>.</summary>
internal sealed record SnmpVarBindMatch(SnmpOid Oid, string Value)
{
    public bool IsMatchedBy(IReadOnlyList<SnmpVarBind> varBinds)
    {
        foreach (SnmpVarBind varBind in varBinds)
        {
            if (varBind.Oid.StartsWith(Oid) && string.Equals(varBind.Value.ValueText(), Value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
