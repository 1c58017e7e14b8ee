namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>Ids of the built-in per-device alarms: they appear in topics and acks like any other alarm id.</summary>
public static class BuiltInAlarmIds
{
    public static string Offline(string deviceId) => deviceId + "-offline";

    public static string BadQuality(string deviceId) => deviceId + "-bad-quality";
}
