using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>The built-in status alarms of a device: offline after N failed polls, and bad quality while any tag reads bad.</summary>
internal sealed partial class AlarmEngine
{
    /// <summary>A connect or poll of the device failed; <paramref name="consecutiveFailures"/> counts since it was last online.</summary>
    public void OnDevicePollFailed(string deviceId, int consecutiveFailures, string reason, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_alarms.Devices.TryGetValue(deviceId, out DeviceAlarms? device))
            {
                return;
            }

            device.Failures = consecutiveFailures;

            // Bad tags of a device that does not answer are the offline alarm's business, not bad quality's.
            device.BadTags.Clear();
            if (device.BadQuality is { } badQuality)
            {
                SetCondition(badQuality, false, TagValue.None, null, null, at);
            }

            if (device.Offline is { } offline)
            {
                SetCondition(offline, consecutiveFailures >= offline.Alarm.OfflineAfter, TagValue.None, null, reason, at);
            }
        }
    }

    /// <summary>The device answered a poll.</summary>
    public void OnDeviceOnline(string deviceId, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_alarms.Devices.TryGetValue(deviceId, out DeviceAlarms? device))
            {
                return;
            }

            device.Failures = 0;
            if (device.Offline is { } offline)
            {
                SetCondition(offline, false, TagValue.None, null, null, at);
            }
        }
    }

    private void EvaluateQuality(DeviceAlarms device, Slot badQuality, string tagId, in TagReading reading)
    {
        if (reading.Quality == Quality.Bad)
        {
            if (device.Failures > 0)
            {
                return; // the supervisor's "stale" readings of a device that stopped answering
            }

            device.BadTags.Add(tagId);
            SetCondition(badQuality, true, TagValue.None, tagId, reading.Reason ?? "bad quality", reading.SourceTimestamp);
        }
        else if (device.BadTags.Count > 0 && device.BadTags.Remove(tagId) && device.BadTags.Count == 0)
        {
            SetCondition(badQuality, false, TagValue.None, tagId, null, reading.SourceTimestamp);
        }
    }
}
