namespace SmartCity.Edge.Drivers;

/// <summary>The gateway's four alarm severities, as a driver maps a device's own scale onto them (e.g. OPC UA 1–1000).</summary>
public enum DeviceAlarmSeverity : byte
{
    Info = 0,
    Warning = 1,
    High = 2,
    Critical = 3,
}
