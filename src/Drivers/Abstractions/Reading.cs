namespace SmartCity.Edge.Drivers;

/// <summary>
/// One decoded sample of one tag, as a driver produces it: the unit of data that flows
/// device → driver → decode → alarms → buffer → upstream.
/// </summary>
/// <param name="DeviceId">The device id from the configuration.</param>
/// <param name="TagId">The tag id from the configuration.</param>
/// <param name="Value">The decoded value; <see cref="TagValue.None"/> when the read failed.</param>
/// <param name="Quality">Good, uncertain or bad.</param>
/// <param name="Reason">Why the quality is not good (an exception name, an OPC UA status name), else null.</param>
/// <param name="SourceTimestamp">When the value was sampled: the device's own timestamp when it has one, else the time the response arrived.</param>
public readonly record struct Reading(
    string DeviceId,
    string TagId,
    TagValue Value,
    Quality Quality,
    string? Reason,
    DateTimeOffset SourceTimestamp)
{
    public static Reading Good(string deviceId, string tagId, TagValue value, DateTimeOffset timestamp) =>
        new(deviceId, tagId, value, Quality.Good, null, timestamp);

    public static Reading Bad(string deviceId, string tagId, string reason, DateTimeOffset timestamp) =>
        new(deviceId, tagId, TagValue.None, Quality.Bad, reason, timestamp);
}
