using System.Text.Json;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>Flattens received telemetry and alarm messages into (device, seq, value) rows for gap and order checks.</summary>
internal static class TelemetryLog
{
    public static IEnumerable<(string Device, long Seq, JsonElement Reading)> Readings(IEnumerable<ReceivedMessage> messages)
    {
        foreach (ReceivedMessage message in messages)
        {
            if (!message.Topic.Contains("/telemetry/", StringComparison.Ordinal))
            {
                continue;
            }

            JsonElement json = message.Json;
            string device = json.GetProperty("device").GetString()!;
            foreach (JsonElement reading in json.GetProperty("readings").EnumerateArray())
            {
                yield return (device, reading.GetProperty("seq").GetInt64(), reading.Clone());
            }
        }
    }

    public static IEnumerable<long> AllSeqs(IEnumerable<ReceivedMessage> messages)
    {
        foreach (ReceivedMessage message in messages)
        {
            if (message.Topic.EndsWith("/alarms", StringComparison.Ordinal))
            {
                yield return message.Json.GetProperty("seq").GetInt64();
            }
        }

        foreach ((_, long seq, _) in Readings(messages))
        {
            yield return seq;
        }
    }

    /// <summary>Seqs from 1 to the highest received that never arrived.</summary>
    public static List<long> MissingSeqs(IEnumerable<ReceivedMessage> messages)
    {
        var seen = new HashSet<long>(AllSeqs(messages));
        long max = seen.Count == 0 ? 0 : seen.Max();
        var missing = new List<long>();
        for (long seq = 1; seq <= max; seq++)
        {
            if (!seen.Contains(seq))
            {
                missing.Add(seq);
            }
        }

        return missing;
    }

    /// <summary>
    /// Per device, the seqs in arrival order after dropping redeliveries (at-least-once: a receiver drops a seq it
    /// has seen) must be strictly increasing.
    /// </summary>
    public static void AssertInOrderPerDevice(IEnumerable<ReceivedMessage> messages)
    {
        var seen = new HashSet<long>();
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((string device, long seq, _) in Readings(messages))
        {
            if (!seen.Add(seq))
            {
                continue;
            }

            if (last.TryGetValue(device, out long previous))
            {
                Assert.True(seq > previous, $"device {device}: seq {seq} arrived after {previous}");
            }

            last[device] = seq;
        }
    }
}
