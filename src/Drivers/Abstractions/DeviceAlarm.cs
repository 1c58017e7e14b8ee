namespace SmartCity.Edge.Drivers;

/// <summary>
/// One report of an alarm kept by the device itself (an OPC UA condition): its state as the device sees it now.
/// The device is the source of truth: the gateway mirrors <see cref="Active"/> and <see cref="Acknowledged"/> into its
/// own alarm lifecycle and never changes them on its own.
/// </summary>
/// <param name="DeviceId">The device id from the configuration.</param>
/// <param name="ConditionId">The device's stable id of the alarm (OPC UA: the ConditionId node id as text); acknowledgements name it.</param>
/// <param name="Name">A short, stable name for the alarm id the gateway derives (OPC UA: the condition's string identifier).</param>
/// <param name="SourceName">What the alarm is about, as the device names it (OPC UA SourceName).</param>
/// <param name="Message">The device's alarm text.</param>
/// <param name="Severity">The device's severity mapped onto the gateway's scale.</param>
/// <param name="DeviceSeverity">The device's own severity value (OPC UA: 1–1000).</param>
/// <param name="Time">When the device says the alarm changed.</param>
/// <param name="Active">The alarm condition is present.</param>
/// <param name="Acknowledged">Someone acknowledged it (at the device or through the gateway).</param>
/// <param name="Retain">The device still shows it (OPC UA Retain): false for an alarm that is over.</param>
public sealed record DeviceAlarm(
    string DeviceId,
    string ConditionId,
    string Name,
    string SourceName,
    string Message,
    DeviceAlarmSeverity Severity,
    int DeviceSeverity,
    DateTimeOffset Time,
    bool Active,
    bool Acknowledged,
    bool Retain);
