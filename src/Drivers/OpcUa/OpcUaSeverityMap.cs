namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// OPC UA event severity (1–1000, BaseEventType.Severity) onto the gateway's four levels: each level starts at a lower
/// bound. The default follows the five bands OPC 10000-5 recommends (Low 1–200, Medium Low 201–400, Medium 401–600,
/// Medium High 601–800, High 801–1000), with Medium Low and Medium merged: info 1–200, warning 201–600, high 601–800,
/// critical 801–1000.
/// </summary>
/// <param name="WarningFrom">Lowest severity that is a warning.</param>
/// <param name="HighFrom">Lowest severity that is high.</param>
/// <param name="CriticalFrom">Lowest severity that is critical.</param>
public sealed record OpcUaSeverityMap(int WarningFrom, int HighFrom, int CriticalFrom)
{
    public const int MinSeverity = 1;
    public const int MaxSeverity = 1000;

    public static OpcUaSeverityMap Default { get; } = new(201, 601, 801);

    public DeviceAlarmSeverity Map(int severity) => severity switch
    {
        _ when severity >= CriticalFrom => DeviceAlarmSeverity.Critical,
        _ when severity >= HighFrom => DeviceAlarmSeverity.High,
        _ when severity >= WarningFrom => DeviceAlarmSeverity.Warning,
        _ => DeviceAlarmSeverity.Info,
    };
}
