using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// OPC UA alarms &amp; conditions end to end: the real gateway binary with an <c>opcua</c> device with <c>events:</c>,
/// a real node-opcua server (tests/peers/opcua/server.js, whose TemperatureAlarm is active from the start) and a real
/// mosquitto. The server is the source of truth: it is asked directly whether the acknowledgement reached it.
/// </summary>
public sealed class OpcUaEventIntegrationTests : IAsyncLifetime
{
    private const string Prefix = "smartcity/lab/ua-gw";
    private const string AlarmId = "boiler-alarms-temperaturealarm";
    private const string ConditionId = "ns=1;s=Alarms.TemperatureAlarm";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-ua-events-").FullName;
    private MosquittoBroker _broker = null!;
    private PeerProcess _server = null!;
    private CommandTokens? _tokens;

    private CommandTokens Tokens => _tokens ??= new CommandTokens(Path.Combine(_directory, "keys"));

    private string Endpoint => $"opc.tcp://127.0.0.1:{_server.Port.ToString(CultureInfo.InvariantCulture)}";

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        string peer = Path.Combine(PeerProcess.PeersDirectory, "opcua");
        Assert.True(Directory.Exists(Path.Combine(peer, "node_modules", "node-opcua")), "node-opcua is not installed: run tests/peers/install.sh");
        _server = await PeerProcess.StartAsync("node", Path.Combine(peer, "server.js"), "0", Path.Combine(_directory, "server-pki"));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ActiveCondition_AckOverMqtt_AcknowledgedOnServerThenClearedWhenInactive()
    {
        string config = TestConfigs.Write(_directory, Config(Path.Combine(_directory, "data")));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        // The condition is active on the server before the gateway connects: ConditionRefresh brings it.
        List<ReceivedMessage> raised = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Transitions(r).Any(), TestTimeouts.Long));
        JsonElement active = Transitions(raised)[0];
        Assert.Equal("active", active.GetProperty("state").GetString());
        Assert.Equal("boiler", active.GetProperty("device").GetString());
        JsonElement condition = active.GetProperty("condition");
        Assert.Equal(ConditionId, condition.GetProperty("id").GetString());
        Assert.Equal("1:Temperature", condition.GetProperty("source").GetString());
        Assert.Equal(ExpectedSeverity(condition.GetProperty("severity").GetInt32()), active.GetProperty("severity").GetString());
        Assert.False(string.IsNullOrEmpty(active.GetProperty("message").GetString()));
        Assert.False(await ReadAckedStateAsync(), "the server's condition starts unacknowledged");

        // Acknowledge over MQTT (a signed token naming the occurrence: the active transition's seq): the gateway calls the
        // condition's Acknowledge; the transition follows the server's event.
        long occurrence = active.GetProperty("seq").GetInt64();
        await subscriber.PublishAsync(Prefix + "/commands/ack", await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Ack(AlarmId, occurrence, "desk-1", jti: "r7", comment: "checking the boiler")));
        List<ReceivedMessage> acked = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Transitions(r).Any(t => t.GetProperty("state").GetString() == "acknowledged") && r.Any(m => m.Topic == Prefix + "/commands/result"),
            TestTimeouts.Long));
        JsonElement result = acked.Single(m => m.Topic == Prefix + "/commands/result").Json;
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(("r7", "device"), (result.GetProperty("id").GetString(), result.GetProperty("via").GetString()));
        JsonElement acknowledged = Transitions(acked).Single(t => t.GetProperty("state").GetString() == "acknowledged");
        Assert.Equal("active", acknowledged.GetProperty("previous").GetString());
        Assert.Equal(("desk-1", "checking the boiler"), (acknowledged.GetProperty("ack").GetProperty("by").GetString(), acknowledged.GetProperty("ack").GetProperty("comment").GetString()));
        Assert.True(await ReadAckedStateAsync(), "the server's AckedState/Id says acknowledged");

        // The input falls below the limit: the server makes the condition inactive, the alarm clears.
        await WriteTemperatureAsync(20);
        List<ReceivedMessage> cleared = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Transitions(r).Any(t => t.GetProperty("state").GetString() == "cleared"), TestTimeouts.Long));
        Assert.Equal("acknowledged", Transitions(cleared).Single(t => t.GetProperty("state").GetString() == "cleared").GetProperty("previous").GetString());

        // A second ack has nothing to acknowledge; the retained state topic holds "cleared".
        await subscriber.PublishAsync(Prefix + "/commands/ack", await Tokens.CliAsync(AlarmId, occurrence, "desk-1"));
        List<ReceivedMessage> again = await subscriber.CollectUntilAsync(r => r.Any(m => m.Topic == Prefix + "/commands/result"), TestTimeouts.Long);
        JsonElement refused = again.Single(m => m.Topic == Prefix + "/commands/result").Json;
        Assert.False(refused.GetProperty("ok").GetBoolean());
        Assert.Equal("cleared", refused.GetProperty("state").GetString());
        await using MqttTestSubscriber late = await MqttTestSubscriber.ConnectAsync(_broker.Port, $"{Prefix}/alarms/state/{AlarmId}");
        ReceivedMessage retained = (await late.CollectUntilAsync(r => r.Count >= 1, TestTimeouts.Short))[0];
        Assert.Equal("cleared", retained.Json.GetProperty("state").GetString());
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task AckWhileServerDown_ErrorReplyWithCode_AlarmStaysActive()
    {
        string config = TestConfigs.Write(_directory, Config(Path.Combine(_directory, "data")));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        List<ReceivedMessage> raised = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Transitions(r).Any(), TestTimeouts.Long));
        string token = await Tokens.CliAsync(AlarmId, Transitions(raised)[0].GetProperty("seq").GetInt64(), "desk-1");

        await _server.DisposeAsync(); // the OPC UA server goes away
        await subscriber.PublishAsync(Prefix + "/commands/ack", token);

        List<ReceivedMessage> answered = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => r.Any(m => m.Topic == Prefix + "/commands/result"), TestTimeouts.Long));
        JsonElement result = answered.Single(m => m.Topic == Prefix + "/commands/result").Json;
        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Contains(result.GetProperty("code").GetString(), new[] { "refused", "timeout", "offline" });
        Assert.Equal("active", result.GetProperty("state").GetString());
        Assert.DoesNotContain(Transitions(answered), t => t.GetProperty("state").GetString() == "acknowledged");
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task RefusedAcks_UnsignedForgedOrForAnotherOccurrence_NeverReachTheServer()
    {
        string config = TestConfigs.Write(_directory, Config(Path.Combine(_directory, "data")));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        List<ReceivedMessage> seen = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Transitions(r).Any(), TestTimeouts.Long));
        long occurrence = Transitions(seen)[0].GetProperty("seq").GetInt64();

        (string Token, string Code)[] refused =
        [
            ($$"""{"alarm":"{{AlarmId}}","by":"mallory"}""", "unsigned"),
            (await Tokens.PyJwtAsync("none", CommandTokens.DeskKid, CommandTokens.Ack(AlarmId, occurrence, "mallory")), "algorithm"),
            (await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Ack(AlarmId, occurrence, "mallory"), Tokens.ForeignPrivateKey), "signature"),
            (await Tokens.CliAsync(AlarmId, occurrence + 1000, "alice"), "occurrence"),
        ];
        foreach ((string token, string code) in refused)
        {
            await subscriber.PublishAsync(Prefix + "/commands/ack", token);
            List<ReceivedMessage> answered = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => r.Any(m => m.Topic == Prefix + "/commands/result"), TestTimeouts.Long));
            seen.AddRange(answered);
            JsonElement result = answered.Single(m => m.Topic == Prefix + "/commands/result").Json;
            Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
            Assert.Equal(code, result.GetProperty("code").GetString());
        }

        // The server was never asked: its condition is still unacknowledged, and no acknowledged transition went out.
        Assert.False(await ReadAckedStateAsync(), "a refused ack reached the server");
        Assert.DoesNotContain(Transitions(seen), t => t.GetProperty("state").GetString() == "acknowledged");
        Assert.DoesNotContain("sent to device", gateway.Log, StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    /// <summary>The documented default map (docs/alarms.md): info 1–200, warning 201–600, high 601–800, critical 801–1000.</summary>
    private static string ExpectedSeverity(int opcUaSeverity) => opcUaSeverity switch
    {
        > 800 => "critical",
        > 600 => "high",
        > 200 => "warning",
        _ => "info",
    };

    private string Config(string dataDir) => $$"""
        gateway:
          id: ua-gw
          site: lab
          data_dir: {{dataDir}}
        devices:
          - id: boiler
            driver: opcua
            endpoint: {{Endpoint}}
            poll_interval: 1s
            publishing_interval: 100ms
            request_timeout: 1s
            events: true
            tags:
              - { id: temperature, node: "ns=1;s=Alarms.Temperature" }
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{{_broker.Port}}
            client_id: ua-gw
            topic_prefix: {{Prefix}}
            qos: 1
        {{Tokens.Section()}}
        """;

    private static List<JsonElement> Transitions(List<ReceivedMessage> received) =>
        received.Where(m => m.Topic == Prefix + "/alarms" && m.Json.GetProperty("alarm").GetString() == AlarmId).Select(m => m.Json).ToList();

    private static async Task<T> WithLogAsync<T>(GatewayProcess gateway, Task<T> wait)
    {
        try
        {
            return await wait;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\ngateway log:\n" + gateway.Log, ex);
        }
    }

    private async Task<UaClient> ConnectAsync()
    {
        UaEndpointUrl.TryParse(Endpoint, out UaEndpointUrl? endpoint, out _);
        var client = new UaClient(new UaClientOptions { Endpoint = endpoint! }, TimeProvider.System, NullLogger.Instance);
        using var timeout = new CancellationTokenSource(TestTimeouts.Short);
        await client.ConnectAsync(timeout.Token);
        return client;
    }

    /// <summary>The server's own AckedState/Id of the condition (browse path from the condition node), read apart from the gateway.</summary>
    private async Task<bool> ReadAckedStateAsync()
    {
        await using UaClient client = await ConnectAsync();
        using var timeout = new CancellationTokenSource(TestTimeouts.Short);
        UaBrowsePathResult[] paths = await client.TranslateBrowsePathsAsync(
            [new UaBrowsePath(UaNodeId.Parse(ConditionId), [new UaQualifiedName(0, "AckedState"), new UaQualifiedName(0, "Id")])], timeout.Token);
        Assert.True(paths[0].StatusCode.IsGood, paths[0].StatusCode.Name);
        UaDataValue[] values = await client.ReadAsync([new UaReadValueId(paths[0].Targets[0].NodeId)], timeout.Token);
        return Assert.IsType<bool>(values[0].Value.Value);
    }

    private async Task WriteTemperatureAsync(double value)
    {
        await using UaClient client = await ConnectAsync();
        using var timeout = new CancellationTokenSource(TestTimeouts.Short);
        UaStatusCode[] results = await client.WriteAsync([new UaWriteValue(UaNodeId.FromString(1, "Alarms.Temperature"), new UaDataValue(new UaVariant(UaBuiltInType.Double, value)))], timeout.Token);
        Assert.True(results[0].IsGood, results[0].Name);
    }
}
