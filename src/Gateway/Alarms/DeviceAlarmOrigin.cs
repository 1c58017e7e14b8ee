namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>Where an alarm kept by a device comes from, as the device names it; published as the <c>condition</c> member.</summary>
/// <param name="ConditionId">The device's id of the alarm (OPC UA ConditionId as text); acknowledgements are sent to it.</param>
/// <param name="SourceName">What the alarm is about (OPC UA SourceName).</param>
/// <param name="DeviceSeverity">The device's own severity (OPC UA 1–1000).</param>
internal sealed record DeviceAlarmOrigin(string ConditionId, string SourceName, int DeviceSeverity);
