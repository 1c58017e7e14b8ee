using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;
using static SmartCity.Edge.Gateway.Tests.Sparkplug.SparkplugRig;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>
/// Commands from the network are hostile: garbage, truncated, oversized, wrongly typed, retained or unknown NCMDs and
/// DCMDs are logged and ignored; the node stays born and still obeys a well-formed rebirth afterwards.
/// </summary>
public sealed class SparkplugEdgeNodeHostileCommandTests
{
    private static readonly string s_ncmd = $"spBv1.0/{Group}/NCMD/{EdgeNode}";

    [Fact]
    public async Task EdgeNode_HostileNodeCommands_IgnoredAndOnlyTheValidRebirthActs()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        rig.StartNode();
        await rig.Host.WaitForMessageAsync("NBIRTH");

        await rig.Host.PublishRawAsync(s_ncmd, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]); // a varint that never ends
        await rig.Host.PublishRawAsync(s_ncmd, [0x12, 0x50, 0x0A]); // a metric longer than the payload
        await rig.Host.PublishRawAsync(s_ncmd, [0x12, 0x02, 0x0D, 0x00]); // name with wire type fixed32
        await rig.Host.PublishRawAsync(s_ncmd, new byte[SparkplugMqttSession.MaxCommandBytes + 1]);
        await rig.Host.PublishRawAsync(s_ncmd, [.. Enumerable.Repeat<byte[]>([0x12, 0x00], 100).SelectMany(b => b)]); // 100 empty metrics
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", "true", type: "String");
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", 1, type: "Int32");
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Reboot", true);
        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, new string('x', 10_000), true);
        await rig.Host.PublishDeviceCommandAsync(Group, EdgeNode, "panel-2", "siren", true, "Boolean");
        await rig.Host.PublishDeviceCommandAsync(Group, EdgeNode, "panel-1", "siren", true, "Boolean");
        await rig.WaitForLogAsync(1806); // the node's loop handled everything above; whatever it published for it is at the broker

        await rig.Host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true, qos: 1);
        await rig.Host.WaitForMessageAsync("NBIRTH", nth: 2);
        List<System.Text.Json.JsonElement> events = rig.Host.Events.ToList();
        int validCommand = events.FindLastIndex(e => IsMessage(e, "NCMD"));
        int rebirth = events.FindIndex(validCommand, e => IsMessage(e, "NBIRTH"));
        Assert.True(rebirth > validCommand, "a hostile command caused a rebirth");
        int ignored = rig.Log.WithEventId(1805).Count + rig.Log.WithEventId(1807).Count;
        Assert.True(ignored >= 9, $"{ignored} ignored messages logged: {string.Join(" | ", rig.Log.Entries.Select(e => e.Message))}");
        Assert.Single(rig.Log.WithEventId(1806)); // DCMD: logged once
        Assert.Contains(rig.Log.Entries, e => e.Message.Contains("65537 bytes", StringComparison.Ordinal));
        Assert.Contains(rig.Log.Entries, e => e.Message.Contains("more than 64 metrics", StringComparison.Ordinal));
        Assert.Contains(rig.Log.Entries, e => e.Message.Contains("is not a Boolean", StringComparison.Ordinal));
        Assert.Equal(2, rig.Host.Messages.Count(m => IsMessage(m, "NBIRTH")));
        Assert.Equal(SparkplugSessionState.Born, rig.Node.State);
        rig.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task EdgeNode_RetainedNodeCommand_IgnoredOnEveryConnect()
    {
        await using SparkplugRig rig = await StartBrokersAsync();
        await rig.Host.PublishRawAsync(s_ncmd, Convert.FromHexString("0801120C0A044E6F646520436F6E74726F6C2F526562697274682070017001"), qos: 1, retain: true);
        rig.StartNode();
        await rig.Host.WaitForMessageAsync("NBIRTH");
        await rig.WaitForLogAsync(1805);
        Assert.Contains("retained", rig.Log.WithEventId(1805)[0].Message, StringComparison.Ordinal);
        Assert.Single(rig.Host.Messages, m => IsMessage(m, "NBIRTH"));
    }
}
