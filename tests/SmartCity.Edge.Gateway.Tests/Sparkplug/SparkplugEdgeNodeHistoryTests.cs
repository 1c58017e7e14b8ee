using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Tests.Integration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// Store-and-forward: what was committed before the births of a connection is replayed after them with
/// <c>is_historical</c> and its original timestamps, paced, never ahead of live data; live data is never historical;
/// the delivery cursor follows what the broker provably has.
/// </summary>
public sealed class SparkplugEdgeNodeHistoryTests
{
    private static readonly SparkplugTagTable s_table = new([new SparkplugTag("level", SparkplugDataType.Int64)]);

    [Fact]
    public async Task EdgeNode_BacklogAtStart_BirthsCarryLatestValueHistoryIsPacedAndLiveGoesFirst()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        long t0 = Now() - 60_000;
        for (int i = 0; i < 20; i++)
        {
            rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(i), t0 + (i * 1000)));
        }

        // One historical frame now, the next one in 1000 s: history stalls, which makes "live goes first" observable.
        rig.StartNode(options: new SparkplugEdgeNodeOptions { ReplayFramesPerRound = 1, ReplayMetricsPerSecond = 0.001 });
        JsonElement dbirth = await rig.Host.WaitForMessageAsync("DBIRTH");
        Assert.Equal("19", Metric(dbirth, "level").GetProperty("resolvedValue").GetString());
        Assert.Equal((t0 + 19_000).ToString(CultureInfo.InvariantCulture), Metric(dbirth, "level").GetProperty("timestamp").GetString());

        JsonElement history = await rig.Host.WaitForMessageAsync("DDATA");
        JsonElement oldest = Assert.Single(history.GetProperty("metrics").EnumerateArray());
        Assert.True(oldest.GetProperty("isHistorical").GetBoolean());
        Assert.Equal("0", oldest.GetProperty("resolvedValue").GetString());
        Assert.Equal(t0.ToString(CultureInfo.InvariantCulture), oldest.GetProperty("timestamp").GetString());

        rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(100), Now()));
        JsonElement live = await rig.Host.WaitForMessageAsync("DDATA", nth: 2);
        Assert.False(live.GetProperty("metrics")[0].GetProperty("isHistorical").GetBoolean());
        Assert.Equal("100", live.GetProperty("metrics")[0].GetProperty("resolvedValue").GetString());

        // Records leave in seq order: the live frame is at the broker, but the cursor waits for history.
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, 1, TestTimeouts.Short);
        Assert.Equal(1, rig.Source.AcknowledgedTelemetryThrough);
        SparkplugEdgeNodeRebirthTests.AssertSeqContinuity(rig.Host.Messages);
    }

    [Fact]
    public async Task EdgeNode_LinkOutage_EveryReadingReplayedAsHistoricalAfterTheBirthsAndLiveIsNot()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        await using TcpRelay relay = TcpRelay.Start(rig.Broker.Port);
        rig.StartNode(rig.Configuration(ports: [relay.Port]));
        await rig.Host.WaitForMessageAsync("NBIRTH");
        long t0 = Now() - 100_000;
        for (int i = 0; i < 5; i++)
        {
            rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(i), t0 + i));
        }

        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, rig.Source.LastSeq, TestTimeouts.Short);

        relay.Cut();
        await rig.Host.WaitForMessageAsync("NDEATH"); // the broker saw the link die and published the Will
        for (int i = 5; i < 55; i++)
        {
            rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(i), t0 + i));
        }

        relay.Restore();
        JsonElement nbirth = await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        Assert.Equal("1", Metric(nbirth, "bdSeq").GetProperty("value").GetString());
        JsonElement dbirth = await rig.Host.WaitForMessageAsync("DBIRTH", nth: 2);
        Assert.Equal("54", Metric(dbirth, "level").GetProperty("resolvedValue").GetString());
        rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(1000), Now()));
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, rig.Source.LastSeq, TestTimeouts.Long);
        await rig.Host.WaitForAsync(e => IsMessage(e, "DDATA") && e.GetProperty("metrics")[0].GetProperty("resolvedValue").GetString() == "1000");
        // The broker has everything once acknowledged; the host gets it a moment later, history oldest first: wait for the last.
        await rig.Host.WaitForAsync(e => IsMessage(e, "DDATA") && e.GetProperty("metrics")[0].GetProperty("isHistorical").GetBoolean()
            && e.GetProperty("metrics")[0].GetProperty("resolvedValue").GetString() == "54");

        List<JsonElement> messages = rig.Host.Messages.ToList();
        int births = messages.FindIndex(m => IsMessage(m, "NBIRTH") && Metric(m, "bdSeq").GetProperty("value").GetString() == "1");
        JsonElement[] after = messages.Skip(births).Where(m => IsMessage(m, "DDATA")).SelectMany(m => m.GetProperty("metrics").EnumerateArray()).ToArray();
        JsonElement[] historical = after.Where(m => m.GetProperty("isHistorical").GetBoolean()).ToArray();
        // Every reading of the outage, oldest first, with its own acquisition time.
        Assert.Equal(
            Enumerable.Range(5, 50).Select(i => (i.ToString(CultureInfo.InvariantCulture), (t0 + i).ToString(CultureInfo.InvariantCulture))),
            historical.Select(m => (m.GetProperty("resolvedValue").GetString()!, m.GetProperty("timestamp").GetString()!)).Where(p => int.Parse(p.Item1, CultureInfo.InvariantCulture) >= 5));
        JsonElement liveMetric = Assert.Single(after, m => m.GetProperty("resolvedValue").GetString() == "1000");
        Assert.False(liveMetric.GetProperty("isHistorical").GetBoolean());
        Assert.DoesNotContain(messages.Take(births), m => IsMessage(m, "DDATA") && m.GetProperty("metrics")[0].GetProperty("isHistorical").GetBoolean());
        Assert.Single(rig.Log.WithEventId(1812));
        SparkplugEdgeNodeRebirthTests.AssertSeqContinuity(messages.Skip(births).ToList());
    }

    [Fact]
    public async Task EdgeNode_Alarms_NodeMetricsInNBirthAndNDataAndANewAlarmCausesARebirth()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode(alarms: ["smoke-high"]);
        JsonElement nbirth = await rig.Host.WaitForMessageAsync("NBIRTH");
        string[] names = ["State", "Severity", "Message", "Seq", "Ack By"];
        foreach (string name in names)
        {
            JsonElement metric = Metric(nbirth, "Alarms/smoke-high/" + name);
            Assert.NotEqual(JsonValueKind.Null, metric.GetProperty("alias").ValueKind);
            Assert.True(metric.GetProperty("isNull").GetBoolean()); // no transition seen since start
        }

        long t = Now();
        var active = rig.Source.AddAlarm("smoke-high", "active", "critical", "Smoke density high in zone 1", ackBy: null, t);
        JsonElement ndata = await rig.Host.WaitForMessageAsync("NDATA");
        Assert.Equal("active", Metric(ndata, "Alarms/smoke-high/State").GetProperty("resolvedValue").GetString());
        Assert.Equal("critical", Metric(ndata, "Alarms/smoke-high/Severity").GetProperty("resolvedValue").GetString());
        Assert.Equal("Smoke density high in zone 1", Metric(ndata, "Alarms/smoke-high/Message").GetProperty("resolvedValue").GetString());
        Assert.Equal(active.Seq.ToString(CultureInfo.InvariantCulture), Metric(ndata, "Alarms/smoke-high/Seq").GetProperty("resolvedValue").GetString());
        Assert.True(Metric(ndata, "Alarms/smoke-high/Ack By").GetProperty("isNull").GetBoolean());
        Assert.All(ndata.GetProperty("metrics").EnumerateArray(), m => Assert.Equal(JsonValueKind.Null, m.GetProperty("name").ValueKind));
        Assert.Equal(t.ToString(CultureInfo.InvariantCulture), Metric(ndata, "Alarms/smoke-high/State").GetProperty("timestamp").GetString());

        rig.Source.AddAlarm("smoke-high", "acknowledged", "critical", "Smoke density high in zone 1", ackBy: "desk-2", t + 5);
        JsonElement acked = await rig.Host.WaitForMessageAsync("NDATA", nth: 2);
        Assert.Equal("desk-2", Metric(acked, "Alarms/smoke-high/Ack By").GetProperty("resolvedValue").GetString());

        // An alarm the NBIRTH did not announce (a device's own): a new NBIRTH with it, carrying its state.
        rig.Source.AddAlarm("door-forced", "active", "high", "Door 3 forced", ackBy: null, t + 10);
        JsonElement rebirth = await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        Assert.Equal("active", Metric(rebirth, "Alarms/door-forced/State").GetProperty("resolvedValue").GetString());
        Assert.Equal("acknowledged", Metric(rebirth, "Alarms/smoke-high/State").GetProperty("resolvedValue").GetString());
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Alarm, rig.Source.LastSeq, TestTimeouts.Short);
    }

    [Fact]
    public async Task EdgeNode_PublishedButNotConfirmed_CursorStaysUntilTheBrokerAnswersTheDeliveryCheck()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        await using TcpRelay relay = TcpRelay.Start(rig.Broker.Port);
        rig.StartNode(rig.Configuration(ports: [relay.Port]));
        await rig.Host.WaitForMessageAsync("NBIRTH");
        SparkplugDeviceFrame first = rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(1), Now()));
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, first.LastSeq, TestTimeouts.Short);

        // The link holds everything the node sends: its DDATA and the UNSUBSCRIBE after it reach the relay, not the broker.
        relay.Hold();
        SparkplugDeviceFrame second = rig.Source.AddFrame("tank-1", s_table, Good(0, TagValue.FromInt64(2), Now()));
        byte[] check = System.Text.Encoding.UTF8.GetBytes("delivery-check");
        await relay.WaitForHeldAsync(held => held.AsSpan().IndexOf(check) >= 0, TestTimeouts.Short);
        Assert.Equal(first.LastSeq, rig.Source.AcknowledgedTelemetryThrough);

        await relay.ReleaseHoldAsync();
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, second.LastSeq, TestTimeouts.Short);
        await rig.Host.WaitForMessageAsync("DDATA");
    }
}
