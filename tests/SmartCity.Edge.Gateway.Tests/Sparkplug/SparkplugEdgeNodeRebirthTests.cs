using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Tests.Integration;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>seq continuity mod 256, NCMD Rebirth (same bdSeq, seq back to 0, births before data), device death and return.</summary>
public sealed class SparkplugEdgeNodeRebirthTests
{
    private static readonly SparkplugTagTable s_one = new([new SparkplugTag("level", SparkplugDataType.Double)]);

    [Fact]
    public async Task EdgeNode_ThreeHundredMessagesAndRebirth_SeqContinuesModulo256AndRebirthRepeatsBdSeq()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();
        await rig.Host.WaitForMessageAsync("NBIRTH");
        long t = Now();
        for (int i = 0; i < 300; i++)
        {
            rig.Source.AddFrame("tank-1", s_one, Good(0, TagValue.FromDouble(i), t + i));
        }

        await rig.Host.WaitForMessageAsync("DDATA", nth: 299, TestTimeouts.Long);
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true);
        await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        for (int i = 300; i < 320; i++)
        {
            rig.Source.AddFrame("tank-1", s_one, Good(0, TagValue.FromDouble(i), t + i));
        }

        await rig.Host.WaitForMessageAsync("DDATA", nth: 319, TestTimeouts.Long);
        IReadOnlyList<JsonElement> messages = rig.Host.Messages;
        Assert.Equal(2, messages.Count(m => m.GetProperty("type").GetString() == "NBIRTH"));
        Assert.Equal(2, messages.Count(m => m.GetProperty("type").GetString() == "DBIRTH"));
        AssertSeqContinuity(messages);

        // The rebirth's NBIRTH repeats the session's bdSeq: no reconnect (tck-id-payloads-nbirth-bdseq-repeat).
        string[] bdSeqs = messages.Where(m => IsMessage(m, "NBIRTH")).Select(m => Metric(m, "bdSeq").GetProperty("value").GetString()!).ToArray();
        Assert.Equal(bdSeqs[0], bdSeqs[1]);
        Assert.DoesNotContain(messages, m => IsMessage(m, "NDEATH"));

        // After the rebirth's NBIRTH: the device's DBIRTH before any DATA, with the current value and the same alias.
        int second = messages.Select((m, i) => (m, i)).Where(p => IsMessage(p.m, "NBIRTH")).Skip(1).First().i;
        Assert.Equal("DBIRTH", messages[second + 1].GetProperty("type").GetString());
        Assert.Equal("299", Metric(messages[second + 1], "level").GetProperty("resolvedValue").GetString());
        JsonElement[] births = messages.Where(m => IsMessage(m, "DBIRTH")).ToArray();
        Assert.Equal(Metric(births[0], "level").GetProperty("alias").GetString(), Metric(births[1], "level").GetProperty("alias").GetString());

        // Every reading arrived once, in order.
        string[] values = messages.Where(m => IsMessage(m, "DDATA")).Select(m => m.GetProperty("metrics")[0].GetProperty("resolvedValue").GetString()!).ToArray();
        Assert.Equal(Enumerable.Range(1, 319).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), values);
        await rig.Source.WaitForAcknowledgedAsync(RecordKind.Telemetry, rig.Source.LastSeq, TestTimeouts.Short);
    }

    [Fact]
    public async Task EdgeNode_NodeCommandsAtQos1AndFalse_RebirthOnlyForTrue()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();
        await rig.Host.WaitForMessageAsync("NBIRTH");
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", false);
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true, qos: 1);
        JsonElement rebirth = await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        Assert.Equal("0", rebirth.GetProperty("seq").GetString());
        rig.Source.AddFrame("tank-1", s_one, Good(0, TagValue.FromDouble(1), Now()));
        await rig.Host.WaitForMessageAsync("DBIRTH");
        Assert.Equal(2, rig.Host.Messages.Count(m => IsMessage(m, "NBIRTH")));
        Assert.Single(rig.Log.WithEventId(1813));
    }

    [Fact]
    public async Task EdgeNode_DeviceLostAndBack_DDeathThenFullDBirthWithSameAliases()
    {
        var table = new SparkplugTagTable([new SparkplugTag("a", SparkplugDataType.Int32), new SparkplugTag("b", SparkplugDataType.Boolean)]);
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();
        await rig.Host.WaitForMessageAsync("NBIRTH");
        long t = Now();
        rig.Source.AddFrame("door-1", table, Good(0, TagValue.FromInt64(1), t), Good(1, TagValue.FromBoolean(true), t));
        JsonElement first = await rig.Host.WaitForMessageAsync("DBIRTH");
        rig.Source.AddFrame("door-1", table, deviceOffline: true, (0, TagValue.None, Quality.Bad, t + 1), (1, TagValue.None, Quality.Bad, t + 1));
        JsonElement ddeath = await rig.Host.WaitForMessageAsync("DDEATH");
        Assert.Equal($"spBv1.0/{Group}/DDEATH/{EdgeNode}/door-1", ddeath.GetProperty("topic").GetString());
        Assert.True(ddeath.GetProperty("hasSeq").GetBoolean());
        Assert.Equal(0, ddeath.GetProperty("metrics").GetArrayLength());

        rig.Source.AddFrame("door-1", table, Good(0, TagValue.FromInt64(2), t + 2), Good(1, TagValue.FromBoolean(false), t + 2));
        JsonElement back = await rig.Host.WaitForMessageAsync("DBIRTH", nth: 2);
        Assert.Equal("2", Metric(back, "a").GetProperty("resolvedValue").GetString());
        Assert.Equal("false", Metric(back, "b").GetProperty("resolvedValue").GetString());
        Assert.Equal(Metric(first, "a").GetProperty("alias").GetString(), Metric(back, "a").GetProperty("alias").GetString());
        Assert.Equal(Metric(first, "b").GetProperty("alias").GetString(), Metric(back, "b").GetProperty("alias").GetString());
        Assert.DoesNotContain(rig.Host.Messages, m => IsMessage(m, "DDATA")); // nothing while dead, the return is a birth
        AssertSeqContinuity(rig.Host.Messages);
    }

    /// <summary>Each message's seq is the previous one's + 1 mod 256, except an NBIRTH, which starts again at 0.</summary>
    internal static void AssertSeqContinuity(IReadOnlyList<JsonElement> messages)
    {
        int? previous = null;
        foreach (JsonElement message in messages.Where(m => !IsMessage(m, "NDEATH")))
        {
            string type = message.GetProperty("type").GetString()!;
            int seq = int.Parse(message.GetProperty("seq").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            if (type == "NBIRTH")
            {
                Assert.Equal(0, seq);
            }
            else
            {
                Assert.True(previous is not null, $"{type} before any NBIRTH");
                Assert.Equal((previous!.Value + 1) % 256, seq);
            }

            previous = seq;
        }
    }
}
