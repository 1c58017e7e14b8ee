using System.Globalization;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Cli;
using SmartCity.Edge.Gateway.Tests.Sparkplug;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Sparkplug DCMD writes through the real binary: our host application (tests/peers/sparkplug/host.js, DCMDs encoded by
/// Tahu's sparkplug-payload, or raw bytes) on mosquitto → the edge node → the tag's write rules and
/// <c>upstream.sparkplug.commands_allow</c> → the libmodbus server, which logs every request it gets and is read back
/// by mbpoll. Every attempt, refused or not, is an audit record published on <c>{prefix}/audit</c> (<c>via</c>
/// <c>sparkplug</c>); a refused one reaches no device.
/// </summary>
public sealed class SparkplugCommandTests : BrokerTest
{
    private const string Group = "park-a";
    private const string EdgeNode = "dcmd-gw";
    private const string Prefix = "smartcity/lab/dcmd-gw";
    private const string Audit = Prefix + "/audit";

    private readonly List<ReceivedMessage> _received = [];

    [Fact]
    public async Task Dcmd_ByNameThenByAlias_WritesTheLibmodbusRegister_ReadBackByMbpoll_DDataCarriesIt_AuditedAsSparkplug()
    {
        await using PeerProcess plc = await PeerProcess.StartAsync(await PeerProcess.LibmodbusServerAsync(), "tcp", "0");
        await using DcmdGateway rig = await StartAsync(plc, commands: true);
        (SparkplugHostPeer host, MqttTestSubscriber audit, GatewayProcess gateway, JsonElement dbirth) = rig;
        ulong alias = ulong.Parse(SparkplugRig.Metric(dbirth, "setpoint").GetProperty("alias").GetString()!, CultureInfo.InvariantCulture);
        Assert.Contains("Sparkplug: DCMD writes are on (upstream.sparkplug.commands)", gateway.Log, StringComparison.Ordinal);

        // By name, as a host that does not use aliases writes it.
        await host.PublishDeviceCommandAsync(Group, EdgeNode, "plc", "setpoint", 321, "UInt16");
        JsonElement first = (await gateway.WithLogAsync(AuditRecordsAsync(audit, 1)))[0];
        Assert.Equal(("sparkplug", "sparkplug:dcmd", null, null, "plc", "setpoint", "ok"), (Text(first, "via"), Text(first, "who"), Text(first, "kid"), Text(first, "id"), Text(first, "device"), Text(first, "tag"), Text(first, "outcome")));
        Assert.Equal((321.0, 321.0), (first.GetProperty("requested").GetDouble(), first.GetProperty("confirmed").GetDouble()));
        Assert.Equal(321, await OperatorWritePeers.MbpollHoldingAsync(plc, 20));

        // The device's next poll brings the new value to the host as DDATA (by alias, resolved from the DBIRTH).
        await gateway.WithLogAsync(host.WaitForAsync(e => HasValue(e, "DDATA", "setpoint", "321"), timeout: TestTimeouts.Long));

        // By alias only, as DATA names it.
        await host.PublishDeviceCommandAsync(Group, EdgeNode, "plc", new Dictionary<string, object> { ["alias"] = alias, ["type"] = "UInt16", ["value"] = 322 });
        JsonElement second = (await gateway.WithLogAsync(AuditRecordsAsync(audit, 2)))[1];
        Assert.Equal(("setpoint", "ok", 322.0), (Text(second, "tag"), Text(second, "outcome"), second.GetProperty("confirmed").GetDouble()));
        Assert.True(second.GetProperty("seq").GetInt64() > first.GetProperty("seq").GetInt64());
        Assert.Equal(322, await OperatorWritePeers.MbpollHoldingAsync(plc, 20));
        await gateway.WithLogAsync(host.WaitForAsync(e => HasValue(e, "DDATA", "setpoint", "322"), timeout: TestTimeouts.Long));
        Assert.Equal(2, OperatorWritePeers.WritesTo(plc, 20));

        // NCMD Node Control/Rebirth still works beside DCMD writes; the DBIRTH carries the written value.
        await host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true);
        await gateway.WithLogAsync(host.WaitForMessageAsync("NBIRTH", nth: 2, timeout: TestTimeouts.Long));
        await gateway.WithLogAsync(host.WaitForAsync(e => HasValue(e, "DBIRTH", "setpoint", "322"), timeout: TestTimeouts.Long));
        Assert.Contains("Audit: write plc/setpoint by sparkplug:dcmd (key none): ok; requested 321", gateway.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(" fail: ", gateway.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dcmd_HostileAndRefused_EachAuditedWithItsCode_NothingWrittenButTheOneAllowedWrite_GatewayKeepsRunning()
    {
        await using PeerProcess plc = await PeerProcess.StartAsync(await PeerProcess.LibmodbusServerAsync(), "tcp", "0");
        await using DcmdGateway rig = await StartAsync(plc, commands: true);
        (SparkplugHostPeer host, MqttTestSubscriber audit, GatewayProcess gateway, JsonElement dbirth) = rig;
        ulong setpointAlias = ulong.Parse(SparkplugRig.Metric(dbirth, "setpoint").GetProperty("alias").GetString()!, CultureInfo.InvariantCulture);
        int[] before = [await OperatorWritePeers.MbpollHoldingAsync(plc, 20), await OperatorWritePeers.MbpollHoldingAsync(plc, 30), await OperatorWritePeers.MbpollHoldingAsync(plc, 32), await OperatorWritePeers.MbpollHoldingAsync(plc, 33)];
        string dcmd = $"spBv1.0/{Group}/DCMD/{EdgeNode}/plc";

        (string Name, Func<Task> Send, string Code, string Reason)[] refused =
        [
            ("tag not writable", () => Dcmd(host, Metric("fixed", 7, "UInt16")), "not_writable", "tag 'plc/fixed' is not writable"),
            ("out of range", () => Dcmd(host, Metric("range", 5000, "UInt16")), "out_of_range", "5000 is outside the range of tag 'plc/range' (0 to 1000"),
            ("not in commands_allow", () => Dcmd(host, Metric("hidden", 7, "UInt16")), "not_allowed", "a DCMD may not write 'plc/hidden' (upstream.sparkplug.commands_allow: [write:plc/setpoint, write:plc/range, write:plc/fixed])"),
            ("unknown metric", () => Dcmd(host, Metric("nope", 1, "UInt16")), "unknown_target", "device 'plc' has no metric 'nope'"),
            ("unknown alias", () => Dcmd(host, new Dictionary<string, object> { ["alias"] = 99_999UL, ["type"] = "UInt16", ["value"] = 1 }), "unknown_target", "alias 99999 is no metric of device 'plc'"),
            ("name and alias disagree", () => Dcmd(host, new Dictionary<string, object> { ["name"] = "range", ["alias"] = setpointAlias, ["type"] = "UInt16", ["value"] = 9 }), "malformed", "name different tags"),
            ("wrong datatype", () => Dcmd(host, Metric("setpoint", "7", "String")), "value", "is a UInt16 (datatype 6) in its DBIRTH, not datatype 12"),
            ("too big for the datatype", () => Dcmd(host, Metric("setpoint", 70_000, "UInt32")), "value", "not datatype 7"),
            ("cut off by the field", () => host.PublishRawAsync(dcmd, SparkplugRawPayload.Of(SparkplugRawPayload.IntMetric("setpoint", 6, SparkplugRawPayload.IntValue, 70_000))), "value", "70000 does not fit it"),
            ("null", () => Dcmd(host, Metric("setpoint", null!, "UInt16")), "value", "is null: no value to write"),
            ("not protobuf", () => host.PublishRawAsync(dcmd, [0x12, 0x05, 0x0a]), "malformed", "the DCMD is not a Sparkplug B payload"),
            ("oversized", () => host.PublishRawAsync(dcmd, new byte[70 * 1024]), "too_large", "more than the 65536"),
            ("17 metrics at once", () => Dcmd(host, Enumerable.Range(0, 17).Select(_ => Metric("setpoint", 5, "UInt16")).ToArray()), "too_large", "carries 17 metrics, at most 16: none of them is written"),
            ("no such device", () => host.PublishDeviceCommandAsync(Group, EdgeNode, "ghost", "setpoint", 5, "UInt16"), "unknown_target", "names device 'ghost', which this edge node has given no DBIRTH"),
        ];
        for (int i = 0; i < refused.Length; i++)
        {
            (string name, Func<Task> send, string code, string reason) = refused[i];
            await send();
            JsonElement record = (await gateway.WithLogAsync(AuditRecordsAsync(audit, i + 1)))[i];
            Assert.True(Text(record, "code") == code && Text(record, "outcome") == "refused", $"{name}: {record}");
            Assert.True(Text(record, "reason")!.Contains(reason, StringComparison.Ordinal), $"{name}: {record}");
            Assert.Equal(("sparkplug", "sparkplug:dcmd", null), (Text(record, "via"), Text(record, "who"), Text(record, "kid")));
        }

        // A DCMD for another edge node is not ours: the gateway never subscribed to it, so it has no record either.
        await host.PublishDeviceCommandAsync(Group, "other-node", "plc", "setpoint", 5, "UInt16");

        // Several metrics are several writes, each checked and audited on its own: range is written, fixed refused.
        await Dcmd(host, Metric("range", 7, "UInt16"), Metric("fixed", 1, "UInt16"));
        JsonElement[] records = await gateway.WithLogAsync(AuditRecordsAsync(audit, refused.Length + 2));
        Assert.Equal(("range", "ok", null), (Text(records[^2], "tag"), Text(records[^2], "outcome"), Text(records[^2], "code")));
        Assert.Equal(("fixed", "not_writable"), (Text(records[^1], "tag"), Text(records[^1], "code")));
        long[] seqs = records.Select(r => r.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(seqs.Order(), seqs);

        // The one write that was allowed is the only request that reached the device.
        Assert.Equal(7, await OperatorWritePeers.MbpollHoldingAsync(plc, 30));
        Assert.Equal((0, 1, 0, 0), (OperatorWritePeers.WritesTo(plc, 20), OperatorWritePeers.WritesTo(plc, 30), OperatorWritePeers.WritesTo(plc, 32), OperatorWritePeers.WritesTo(plc, 33)));
        Assert.Equal([before[0], before[2], before[3]], new[] { await OperatorWritePeers.MbpollHoldingAsync(plc, 20), await OperatorWritePeers.MbpollHoldingAsync(plc, 32), await OperatorWritePeers.MbpollHoldingAsync(plc, 33) });

        // Still a live edge node: the next poll's value goes out, and an NCMD rebirth is answered.
        await host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true);
        await gateway.WithLogAsync(host.WaitForMessageAsync("NBIRTH", nth: 2, timeout: TestTimeouts.Long));
        Assert.Equal(refused.Length + 2, (await AuditRecordsAsync(audit, refused.Length + 2)).Length);
        Assert.DoesNotContain(" fail: ", gateway.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dcmd_CommandsOff_NothingWrittenNothingAudited_CountedAndLoggedOnce_NcmdRebirthStillWorks()
    {
        await using PeerProcess plc = await PeerProcess.StartAsync(await PeerProcess.LibmodbusServerAsync(), "tcp", "0");
        await using DcmdGateway rig = await StartAsync(plc, commands: false);
        (SparkplugHostPeer host, MqttTestSubscriber audit, GatewayProcess gateway, _) = rig;
        int before = await OperatorWritePeers.MbpollHoldingAsync(plc, 20);

        for (int i = 0; i < 3; i++)
        {
            await host.PublishDeviceCommandAsync(Group, EdgeNode, "plc", "setpoint", 500 + i, "UInt16");
        }

        // The node reads its events in order: once the rebirth asked for after the DCMDs is out, they were all handled.
        await host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true);
        await gateway.WithLogAsync(host.WaitForMessageAsync("NBIRTH", nth: 2, timeout: TestTimeouts.Long));
        await gateway.WaitForLogCountAsync("upstream.sparkplug.commands is off", 1, TestTimeouts.Short);
        Assert.Equal(1, gateway.Log.Split('\n').Count(l => l.Contains("upstream.sparkplug.commands is off", StringComparison.Ordinal)));
        Assert.Contains("not executed: upstream.sparkplug.commands is off; 1 DCMDs refused since start", gateway.Log, StringComparison.Ordinal);

        Assert.Equal(0, OperatorWritePeers.WritesTo(plc, 20));
        Assert.Equal(before, await OperatorWritePeers.MbpollHoldingAsync(plc, 20));
        Assert.DoesNotContain("Audit: write", gateway.Log, StringComparison.Ordinal);
        Assert.False(audit.Messages.TryRead(out ReceivedMessage? record), $"an audit record was published: {record}");
    }

    /// <summary>
    /// The gateway with one libmodbus device: a confirmed setpoint, a ranged tag, a read-only one and one left out of
    /// commands_allow; both upstreams (the audit trail goes out on the JSON one).
    /// </summary>
    [Fact]
    public async Task Dcmd_UnexpectedFailureWhileExecuting_LoggedAndDropped_NextDcmdStillHandled_GatewayKeepsPublishing()
    {
        await using PeerProcess plc = await PeerProcess.StartAsync(await PeerProcess.LibmodbusServerAsync(), "tcp", "0");
        var fault = new Dictionary<string, string> { ["SMARTCITY_EDGE_TEST_FAULT_AT"] = "dcmd-execute" };
        await using DcmdGateway rig = await StartAsync(plc, commands: true, fault);
        (SparkplugHostPeer host, _, GatewayProcess gateway, _) = rig;

        await host.PublishDeviceCommandAsync(Group, EdgeNode, "plc", "setpoint", 321, "UInt16");
        await gateway.WaitForLogCountAsync("failed unexpectedly", 1, TestTimeouts.Long);
        await host.PublishDeviceCommandAsync(Group, EdgeNode, "plc", "setpoint", 322, "UInt16");
        await gateway.WaitForLogCountAsync("failed unexpectedly", 2, TestTimeouts.Long);
        Assert.Contains($"Sparkplug DCMD write on 'spBv1.0/{Group}/DCMD/{EdgeNode}/plc' failed unexpectedly (SMARTCITY_EDGE_TEST_FAULT_AT: test fault at dcmd-execute)", gateway.Log, StringComparison.Ordinal);

        // Still serving the host: a Rebirth after both failures is answered, and neither write reached the device.
        await host.PublishNodeCommandAsync(Group, EdgeNode, "Node Control/Rebirth", true);
        await gateway.WithLogAsync(host.WaitForMessageAsync("NBIRTH", nth: 2, timeout: TestTimeouts.Long));
        Assert.False(gateway.HasExited, gateway.Log);
        Assert.Equal(0, OperatorWritePeers.WritesTo(plc, 20));
    }

    private string Config(int modbusPort, bool commands)
    {
        string dcmd = commands ? "    commands: true\n    commands_allow: [\"write:plc/setpoint\", \"write:plc/range\", \"write:plc/fixed\"]\n" : string.Empty;
        return TestConfigs.Write(Directory, $$"""
            gateway:
              id: {{EdgeNode}}
              site: lab
              data_dir: {{Path.Combine(Directory, "data")}}
            devices:
              - id: plc
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{modbusPort}}
                unit_id: 1
                poll_interval: 100ms
                tags:
                  - { id: setpoint, address: "holding:20", type: uint16, writable: true, min: 0, max: 1000, confirm: read }
                  - { id: range, address: "holding:30", type: uint16, writable: true, min: 0, max: 1000 }
                  - { id: fixed, address: "holding:32", type: uint16 }
                  - { id: hidden, address: "holding:33", type: uint16, writable: true }
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{{Broker.Port}}
                client_id: {{EdgeNode}}-json
                topic_prefix: {{Prefix}}
              sparkplug:
                servers: ["mqtt://127.0.0.1:{{Broker.Port}}"]
                group_id: {{Group}}

            """ + dcmd);
    }

    /// <summary>Our host application, a subscriber to the audit topic and the gateway, up to the device's DBIRTH.</summary>
    private async Task<DcmdGateway> StartAsync(PeerProcess plc, bool commands, IReadOnlyDictionary<string, string>? environment = null)
    {
        SparkplugHostPeer host = await SparkplugHostPeer.StartAsync(Broker.AnonymousPort);
        MqttTestSubscriber audit = await MqttTestSubscriber.ConnectAsync(Broker.Port, Audit);
        var rig = new DcmdGateway(host, audit, GatewayProcess.Start(environment ?? new Dictionary<string, string>(), "run", "--config", Config(plc.Port, commands)));
        rig.DBirth = await rig.Gateway.WithLogAsync(host.WaitForAsync(e => SparkplugHostPeer.IsMessage(e, "DBIRTH") && e.GetProperty("device").GetString() == "plc", timeout: TestTimeouts.Long));
        return rig;
    }

    private static Task Dcmd(SparkplugHostPeer host, params Dictionary<string, object>[] metrics) =>
        host.PublishDeviceCommandAsync(Group, EdgeNode, "plc", metrics);

    private static Dictionary<string, object> Metric(string name, object value, string type) =>
        new() { ["name"] = name, ["type"] = type, ["value"] = value };

    /// <summary>The audit records on <c>{prefix}/audit</c>, waiting until there are <paramref name="count"/>; deduplicated by seq (at least once).</summary>
    private async Task<JsonElement[]> AuditRecordsAsync(MqttTestSubscriber subscriber, int count)
    {
        static JsonElement[] Published(IEnumerable<ReceivedMessage> received) =>
            received.Where(m => m.Topic == Audit).Select(m => m.Json).DistinctBy(a => a.GetProperty("seq").GetInt64()).ToArray();

        if (Published(_received).Length < count)
        {
            _received.AddRange(await subscriber.CollectUntilAsync(r => Published(_received.Concat(r)).Length >= count, TestTimeouts.Long));
        }

        JsonElement[] published = Published(_received);
        Assert.Equal(count, published.Length);
        return published;
    }

    private static bool HasValue(JsonElement e, string type, string metric, string value) =>
        SparkplugHostPeer.IsMessage(e, type) && e.GetProperty("device").GetString() == "plc"
        && e.GetProperty("metrics").EnumerateArray().Any(m => m.GetProperty("resolvedName").GetString() == metric && m.GetProperty("resolvedValue").GetString() == value);

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>What a test talks to; disposed gateway first, then the subscriber and the host.</summary>
    private sealed class DcmdGateway(SparkplugHostPeer host, MqttTestSubscriber audit, GatewayProcess gateway) : IAsyncDisposable
    {
        public SparkplugHostPeer Host => host;

        public MqttTestSubscriber Audit => audit;

        public GatewayProcess Gateway => gateway;

        public JsonElement DBirth { get; set; }

        public void Deconstruct(out SparkplugHostPeer h, out MqttTestSubscriber a, out GatewayProcess g, out JsonElement dbirth) =>
            (h, a, g, dbirth) = (host, audit, gateway, DBirth);

        public async ValueTask DisposeAsync()
        {
            await gateway.DisposeAsync();
            await audit.DisposeAsync();
            await host.DisposeAsync();
        }
    }
}
