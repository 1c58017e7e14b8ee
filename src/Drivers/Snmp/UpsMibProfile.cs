namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// <c>profile: ups-mib</c>: the RFC 1628 UPS-MIB objects a park needs from a UPS (snmp-notes §4), with units and
/// scales, and the built-in trap rules (upsTrapOnBattery, upsAlarmEntryAdded/Removed for lowBattery,
/// upsTrapTestCompleted). Tags and rules of the same id in the device's own lists replace these. The alarm rules a
/// technician adds on the polled values (on battery, battery low) are in docs/snmp.md.
/// </summary>
internal static class UpsMibProfile
{
    public const string Name = "ups-mib";

    private const string U = "1.3.6.1.2.1.33.1";
    private const string T = "1.3.6.1.2.1.33.2";
    private const string AlarmDescr = U + ".6.2.1.2";
    private const string WellKnownAlarms = U + ".6.3";

    /// <summary>upsWellKnownAlarms (RFC 1628 §4, U.6.3.N) by name, for the <c>alarm</c> walk's values.</summary>
    public static readonly IReadOnlyDictionary<SnmpOid, string> AlarmNames = new[]
    {
        "batteryBad", "onBattery", "lowBattery", "depletedBattery", "tempBad", "inputBad", "outputBad", "outputOverload",
        "onBypass", "bypassBad", "outputOffAsRequested", "upsOffAsRequested", "chargerFailed", "upsOutputOff",
        "upsSystemOff", "fanFailure", "fuseFailure", "generalFault", "diagnosticTestFailed", "communicationsLost",
        "awaitingPower", "shutdownPending", "shutdownImminent", "testInProgress",
    }.Select((name, i) => (Oid: SnmpOid.Parse($"{WellKnownAlarms}.{i + 1}"), name)).ToDictionary(p => p.Oid, p => p.name);

    public static IReadOnlyList<SnmpTagSettings> Tags { get; } =
    [
        Tag("manufacturer", U + ".1.1.0"),
        Tag("model", U + ".1.2.0"),
        Tag("battery_status", U + ".2.1.0"),                        // 1 unknown, 2 normal, 3 low, 4 depleted
        Tag("seconds_on_battery", U + ".2.2.0", unit: "s"),
        Tag("minutes_remaining", U + ".2.3.0", unit: "min"),
        Tag("charge_remaining", U + ".2.4.0", unit: "%"),
        Tag("battery_voltage", U + ".2.5.0", 0.1, "V"),
        Tag("battery_temperature", U + ".2.7.0", unit: "°C"),
        Tag("input_line_bads", U + ".3.1.0"),
        Tag("input_frequency", U + ".3.3.1.2.1", 0.1, "Hz"),
        Tag("input_voltage", U + ".3.3.1.3.1", unit: "V"),
        Tag("output_source", U + ".4.1.0"),                         // 3 normal, 4 bypass, 5 battery (snmp-notes §4)
        Tag("output_voltage", U + ".4.4.1.2.1", unit: "V"),
        Tag("output_load", U + ".4.4.1.5.1", unit: "%"),
        Tag("alarms_present", U + ".6.1.0"),
        Tag("test_result", U + ".7.3.0"),                           // 1 pass, 2 warning, 3 error, 4 aborted, 5 in progress, 6 none
        new SnmpTagSettings("alarm", SnmpOid.Parse(AlarmDescr), Rate: false, Walk: true, SnmpValueFormat.Auto, 1, 0) { OidNames = AlarmNames },
    ];

    public static IReadOnlyList<SnmpTrapRule> TrapRules { get; } =
    [
        new(
            SnmpOid.Parse(T + ".1"),
            "on_battery",
            DeviceAlarmSeverity.Critical,
            "UPS on battery: {" + U + ".2.3.0} min of battery left",
            ClearTrap: SnmpOid.Parse(T + ".4"),
            Match: null,
            ClearMatch: new SnmpVarBindMatch(SnmpOid.Parse(AlarmDescr), WellKnownAlarms + ".2")),
        new(
            SnmpOid.Parse(T + ".3"),
            "low_battery",
            DeviceAlarmSeverity.Critical,
            "UPS battery low",
            ClearTrap: SnmpOid.Parse(T + ".4"),
            Match: new SnmpVarBindMatch(SnmpOid.Parse(AlarmDescr), WellKnownAlarms + ".3"),
            ClearMatch: new SnmpVarBindMatch(SnmpOid.Parse(AlarmDescr), WellKnownAlarms + ".3")),
        new(
            SnmpOid.Parse(T + ".2"),
            "test_completed",
            DeviceAlarmSeverity.Info,
            "UPS self-test completed (result {" + U + ".7.3.0}: 1 pass, 2 warning, 3 error, 4 aborted)",
            ClearTrap: null,
            Match: null,
            ClearMatch: null),
    ];

    private static SnmpTagSettings Tag(string id, string oid, double scale = 1, string? unit = null) =>
        new(id, SnmpOid.Parse(oid), Rate: false, Walk: false, SnmpValueFormat.Auto, scale, 0) { Unit = unit };
}
