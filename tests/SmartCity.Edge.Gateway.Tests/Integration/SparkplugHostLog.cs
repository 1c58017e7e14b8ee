using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Sparkplug;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>What our Sparkplug host application received from the real binary, taken apart for the assertions.</summary>
internal static class SparkplugHostLog
{
    /// <summary>Waits until the host's messages so far satisfy <paramref name="done"/>, and returns them.</summary>
    public static async Task<IReadOnlyList<JsonElement>> WaitForMessagesAsync(SparkplugHostPeer host, Func<IReadOnlyList<JsonElement>, bool> done, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            int seen = host.Events.Count;
            IReadOnlyList<JsonElement> messages = host.Messages;
            if (done(messages))
            {
                return messages;
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            try
            {
                // Only a new line from the host can change the answer.
                await host.WaitForAsync(_ => true, nth: seen + 1, timeout: left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the host's messages did not reach the expected state within {timeout.TotalSeconds}s; the last ones: {string.Join("\n", messages.TakeLast(5))}");
            }
        }
    }

    /// <summary>The values of <paramref name="metric"/> (a counter) in DBIRTH and DDATA messages, in arrival order; live ones (births included) or historical ones.</summary>
    public static List<long> Values(IEnumerable<JsonElement> messages, string metric, bool historical) =>
        messages
            .Where(m => SparkplugRig.IsMessage(m, "DDATA") || (!historical && SparkplugRig.IsMessage(m, "DBIRTH")))
            .SelectMany(m => m.GetProperty("metrics").EnumerateArray())
            .Where(x => x.GetProperty("resolvedName").GetString() == metric && x.GetProperty("isHistorical").GetBoolean() == historical && !x.GetProperty("isNull").GetBoolean())
            .Select(x => long.Parse(x.GetProperty("resolvedValue").GetString()!, CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>Every value of the counter <paramref name="metric"/> from <paramref name="from"/> through <paramref name="through"/> arrived, live or historical.</summary>
    public static bool Covers(IEnumerable<JsonElement> messages, string metric, long from, long through)
    {
        IReadOnlyList<JsonElement> all = messages as IReadOnlyList<JsonElement> ?? messages.ToList();
        var seen = new HashSet<long>(Values(all, metric, historical: false).Concat(Values(all, metric, historical: true)));
        for (long v = from; v <= through; v++)
        {
            if (!seen.Contains(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The messages from each NBIRTH up to the next one, in arrival order.</summary>
    public static List<List<JsonElement>> Sessions(IEnumerable<JsonElement> messages)
    {
        var sessions = new List<List<JsonElement>>();
        foreach (JsonElement message in messages)
        {
            if (SparkplugRig.IsMessage(message, "NBIRTH"))
            {
                sessions.Add([]);
            }

            if (sessions.Count > 0)
            {
                sessions[^1].Add(message);
            }
        }

        return sessions;
    }

    /// <summary>From each NBIRTH: seq 0, then one up per message, 255 wrapping to 0.</summary>
    public static void AssertSeqContinuous(IEnumerable<JsonElement> messages)
    {
        long expected = -1;
        foreach (JsonElement message in messages.Where(m => m.GetProperty("hasSeq").GetBoolean()))
        {
            long seq = long.Parse(message.GetProperty("seq").GetString()!, CultureInfo.InvariantCulture);
            if (SparkplugRig.IsMessage(message, "NBIRTH"))
            {
                Assert.Equal(0, seq);
            }
            else if (expected >= 0)
            {
                Assert.True(seq == expected, $"seq {seq} where {expected} was due ({message.GetProperty("type").GetString()})");
            }

            expected = (seq + 1) % 256;
        }
    }

    /// <summary>
    /// One session after an outage: births first; the history (<c>is_historical</c>, oldest first, sampled before the
    /// NBIRTH) ends at the DBIRTH's value of <paramref name="metric"/>, live values come after it.
    /// </summary>
    public static void AssertHistoryBehindBirth(IReadOnlyList<JsonElement> session, string metric)
    {
        JsonElement nbirth = session[0];
        JsonElement dbirth = session.First(m => SparkplugRig.IsMessage(m, "DBIRTH"));
        long bornWith = long.Parse(SparkplugRig.Metric(dbirth, metric).GetProperty("resolvedValue").GetString()!, CultureInfo.InvariantCulture);
        List<long> historical = Values(session, metric, historical: true);
        List<long> live = Values(session.Where(m => SparkplugRig.IsMessage(m, "DDATA")), metric, historical: false);
        Assert.All(historical, v => Assert.True(v <= bornWith, $"historical {v} after the DBIRTH's {bornWith}"));
        Assert.All(live, v => Assert.True(v > bornWith, $"live {v} not after the DBIRTH's {bornWith}"));
        Assert.Equal(historical.Order(), historical);
        long born = long.Parse(nbirth.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
        Assert.All(
            session.Where(m => SparkplugRig.IsMessage(m, "DDATA")).SelectMany(m => m.GetProperty("metrics").EnumerateArray()).Where(x => x.GetProperty("isHistorical").GetBoolean()),
            x => Assert.True(long.Parse(x.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture) <= born, $"historical metric sampled after the NBIRTH: {x}"));
        AssertSeqContinuous(session);
    }
}
