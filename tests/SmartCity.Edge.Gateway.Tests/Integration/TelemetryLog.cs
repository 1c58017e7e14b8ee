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

    /// <summary>
    /// Seqs that never arrived, from 1 to the highest seq that every device has reached. Not simply to the highest
    /// received: one forwarder batch is one message per device, published one after the other, so when the
    /// collection stops on a message of device A, the same batch's message of device B (with lower seqs) may
    /// still be on its way. Up to the lowest per-device high-water mark nothing can still be in flight, because
    /// each device's messages arrive in seq order (checked by <see cref="AssertInOrderPerDevice"/>).
    /// </summary>
    public static List<long> MissingSeqs(IEnumerable<ReceivedMessage> messages)
    {
        var seen = new HashSet<long>(AllSeqs(messages));
        long[] perDevice = Readings(messages).GroupBy(r => r.Device).Select(g => g.Max(r => r.Seq)).ToArray();
        long max = perDevice.Length > 0 ? perDevice.Min() : seen.Count == 0 ? 0 : seen.Max();
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
