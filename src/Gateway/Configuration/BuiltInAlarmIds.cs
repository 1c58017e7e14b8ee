namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>Ids of the built-in per-device alarms: they appear in topics and acks like any other alarm id.</summary>
public static class BuiltInAlarmIds
{
    public static string Offline(string deviceId) => deviceId + "-offline";

    public static string BadQuality(string deviceId) => deviceId + "-bad-quality";

    /// <summary>
    /// The id of an alarm the device keeps itself: <c>{device}-{name}</c> with the device's name of it (OPC UA: the
    /// condition's string identifier, e.g. <c>Alarms.TemperatureAlarm</c>) lower-cased and every run of characters
    /// outside <c>a-z 0-9 _ -</c> turned into one <c>-</c>, so it is a valid alarm id and MQTT topic level.
    /// </summary>
    public static string DeviceCondition(string deviceId, string name)
    {
        var id = new System.Text.StringBuilder(deviceId.Length + 1 + Math.Min(name.Length, MaxConditionNameLength));
        id.Append(deviceId).Append('-');
        int start = id.Length;
        foreach (char c in name)
        {
            char lower = char.ToLowerInvariant(c);
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-')
            {
                id.Append(lower);
            }
            else if (id.Length > start && id[^1] != '-')
            {
                id.Append('-');
            }

            if (id.Length - start >= MaxConditionNameLength)
            {
                break;
            }
        }

        while (id.Length > start && id[^1] == '-')
        {
            id.Length--;
        }

        return id.Length > start ? id.ToString() : id.Append("condition").ToString();
    }

    private const int MaxConditionNameLength = 100;
}
