using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Cli;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// The audit trail on <c>{prefix}/audit</c>, through the real binary, a real mosquitto and the libmodbus server (behind
/// a <see cref="TcpRelay"/> that can hold the gateway's requests): every write attempt is published once committed to
/// the durable buffer, in the order decided, with its <c>seq</c>; an attempt decided while the broker is down and the
/// gateway then killed with SIGKILL is published after the restart.
/// </summary>
public sealed partial class AuditTrailTests : BrokerTest
{
    private const string Prefix = "smartcity/lab/audit-gw";
    private const string AuditTopic = Prefix + "/audit";
    private const string Result = Prefix + "/commands/result";
    private const string WriteTopic = Prefix + "/commands/write";

    private CommandTokens? _tokens;

    private CommandTokens Tokens => _tokens ??= new CommandTokens(Path.Combine(Directory, "keys"));

    [Fact]
    public async Task Audit_DecidedDuringBrokerOutageThenSigkill_PublishedAfterRestartInSeqOrder_NothingLost()
    {
        await using PeerProcess device = await PeerProcess.StartAsync(await PeerProcess.LibmodbusServerAsync(), "tcp", "0");
        await using TcpRelay relay = TcpRelay.Start(device.Port);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        var received = new List<ReceivedMessage>();
        long outageSeq;
        GatewayProcess gateway = StartGateway(relay.Port);
        try
        {
            await gateway.WaitForLogAsync("Device plc (modbus-tcp) connected", TestTimeouts.Long);
            await gateway.WaitForLogAsync("Connected to MQTT broker", TestTimeouts.Long);

            // Two attempts while all is well: a refusal and a write, each published with its seq.
            await subscriber.PublishAsync(WriteTopic, await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Write("plc", "door", 5000, "alice", jti: "a-range")));
            await subscriber.PublishAsync(WriteTopic, await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Write("plc", "door", 7, "alice", jti: "a-seven")));
            received.AddRange(await gateway.WithLogAsync(subscriber.CollectUntilAsync(r => Audit(r).Count(a => Text(a, "id") == "a-seven") == 1, TestTimeouts.Long)));

            // The third is inside the device write (its Modbus request, function 06, waits in the relay) when the broker
            // goes down: the attempt is decided and committed during the outage, and its result cannot go out.
            relay.Hold();
            await subscriber.PublishAsync(WriteTopic, await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Write("plc", "door", 8, "bob", jti: "a-eight")));
            await relay.WaitForHeldAsync(held => held.Length >= 8 && held[7] == 6, TestTimeouts.Long);
            await Broker.StopAsync();
            await relay.ReleaseHoldAsync();
            await gateway.WaitForLogAsync("done but not acknowledged to the broker", TestTimeouts.Long);
            Match committed = Regex.Match(gateway.Log, @"Audit: write plc/door by bob \(key desk-1\): ok; requested 8, old [^,]+, confirmed -; seq (\d+)");
            Assert.True(committed.Success, gateway.Log);
            outageSeq = long.Parse(committed.Groups[1].Value, CultureInfo.InvariantCulture);

            // SIGKILL: no chance to forward, flush or close.
            await gateway.KillAsync();
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        await Broker.StartProcessAsync();
        await subscriber.ReconnectAsync();
        await using GatewayProcess restarted = StartGateway(relay.Port);

        // The broker hands the unanswered command back: its token is used, so it is answered "replayed" with the first
        // result, and that refusal is audited too, after the outage's record.
        received.AddRange(await restarted.WithLogAsync(subscriber.CollectUntilAsync(
            r => Audit(r).Any(a => Text(a, "id") == "a-eight" && Text(a, "code") == "replayed") && Replays(r).Any(), TestTimeouts.Long)));

        // At least once, deduplicated by seq: every attempt exactly once, in the order decided.
        List<JsonElement> audit = Audit(received).DistinctBy(a => a.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(
            [("a-range", "refused", "out_of_range"), ("a-seven", "ok", null), ("a-eight", "ok", null), ("a-eight", "refused", "replayed")],
            audit.Select(a => (Text(a, "id"), Text(a, "outcome"), Text(a, "code"))).ToArray());
        long[] seqs = audit.Select(a => a.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal(outageSeq, seqs[2]);
        JsonElement outage = audit[2];
        Assert.Equal(("bob", "desk-1", "plc", "door", "mqtt"), (Text(outage, "who"), Text(outage, "kid"), Text(outage, "device"), Text(outage, "tag"), Text(outage, "via")));
        Assert.Equal(8.0, outage.GetProperty("requested").GetDouble());

        // In the order of seqs as first received, too: nothing overtook a record before it.
        long[] firstArrival = Audit(received).Select(a => a.GetProperty("seq").GetInt64()).Distinct().ToArray();
        Assert.Equal(seqs, firstArrival);

        JsonElement replay = Assert.Single(Replays(received));
        Assert.Equal(("replayed", true), (Text(replay, "code"), replay.GetProperty("original").GetProperty("ok").GetBoolean()));
        Assert.Equal(2, device.Lines.Count(l => l.StartsWith("REQ fc=6 addr=50 ", StringComparison.Ordinal)));
    }

    private GatewayProcess StartGateway(int devicePort)
    {
        string config = TestConfigs.Write(Directory, $$"""
            gateway:
              id: audit-gw
              site: lab
              data_dir: {{Path.Combine(Directory, "data")}}
            devices:
              - id: plc
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{devicePort}}
                unit_id: 1
                poll_interval: 1h
                timeout: 10s
                tags:
                  - { id: door, address: "holding:50", type: uint16, writable: true, min: 0, max: 1000 }
            {{Tokens.Section(deskAllow: "write:plc/*")}}
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{{Broker.Port}}
                client_id: audit-gw
                topic_prefix: {{Prefix}}
            """);
        return GatewayProcess.Start("run", "--config", config);
    }

    private static List<JsonElement> Audit(IEnumerable<ReceivedMessage> received) =>
        received.Where(m => m.Topic == AuditTopic).Select(m => m.Json).ToList();

    /// <summary>Results answering a redelivered command ("replayed"); the audit record and the result come on their own paths, in either order.</summary>
    private static IEnumerable<JsonElement> Replays(IEnumerable<ReceivedMessage> received) =>
        received.Where(m => m.Topic == Result).Select(m => m.Json).Where(r => Text(r, "code") == "replayed");

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
