using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Operator writes through the real binary and a real mosquitto, to real devices: the libmodbus server (holding
/// registers, read back by mbpoll and by our <c>modbus read</c>), pymodbus (a coil) and node-opcua (variables, read
/// back by our <c>opcua read</c>). Tokens by PyJWT (python3-jwt) and by our CLI. Every attempt is answered on
/// <c>commands/result</c>, shows in the status page's audit list and is published on <c>{prefix}/audit</c> with the seq
/// the durable buffer gave it; a refused one reaches no device (the Modbus peers log each request they get).
/// </summary>
public sealed partial class OperatorWriteTests : BrokerTest, IClassFixture<OperatorWritePeers>
{
    private const string Prefix = "smartcity/lab/write-gw";
    private const string Result = Prefix + "/commands/result";
    private const string WriteTopic = Prefix + "/commands/write";

    private readonly OperatorWritePeers _peers;

    /// <summary>Nothing listens there: device 'gone' never connects.</summary>
    private readonly int _deadPort = FreePort.Next();
    private GatewayProcess? _gateway;
    private readonly List<ReceivedMessage> _received = [];
    private CommandTokens? _tokens;

    public OperatorWriteTests(OperatorWritePeers peers)
    {
        _peers = peers;
    }

    private CommandTokens Tokens => _tokens ??= new CommandTokens(Path.Combine(Directory, "keys"));

    [Fact]
    public async Task Write_PyJwtEs256AndCliHs256_ChangeTheLibmodbusRegister_ConfirmedByReadBackAndAudited()
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = StartGateway();
        double before = await gateway.WithLogAsync(TagValueAsync(subscriber, "plc", "setpoint", _ => true));

        // ES256, signed by PyJWT with the desk's private key.
        string first = await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Write("plc", "setpoint", 321, "alice", jti: "w-es-1"));
        JsonElement result = await SendAsync(gateway, subscriber, first);
        AssertOk(result, "w-es-1");
        Assert.Equal((321.0, before, 321.0), (Number(result, "value"), Number(result, "old"), Number(result, "confirmed")));
        Assert.Equal(321, await MbpollHoldingAsync(20));

        // HS256 from our CLI, with the value the operator saw: it holds once the gateway has read 321 itself.
        await gateway.WithLogAsync(TagValueAsync(subscriber, "plc", "setpoint", v => v == 321));
        string second = await Tokens.CliWriteAsync("plc/setpoint", "322", "bob", CommandTokens.NightKid, "--expect", "321");
        result = await SendAsync(gateway, subscriber, second);
        AssertOk(result, null);
        Assert.Equal((322.0, 321.0, 322.0), (Number(result, "value"), Number(result, "old"), Number(result, "confirmed")));
        Assert.Equal(322, await ModbusReadHoldingAsync(20));
        Assert.Equal(2, OperatorWritePeers.WritesTo(_peers.Libmodbus, 20));

        // The status page lists both, newest first: who, key, old, requested, read back, outcome.
        JsonElement[] audit = await AuditAsync();
        Assert.Equal(2, audit.Length);
        Assert.Equal(("bob", "night", "plc", "setpoint", "ok"), (Text(audit[0], "who"), Text(audit[0], "kid"), Text(audit[0], "device"), Text(audit[0], "tag"), Text(audit[0], "outcome")));
        Assert.Equal((321.0, 322.0, 322.0), (Number(audit[0], "old"), Number(audit[0], "requested"), Number(audit[0], "confirmed")));
        Assert.Equal(("alice", "desk-1", "w-es-1", "mqtt"), (Text(audit[1], "who"), Text(audit[1], "kid"), Text(audit[1], "id"), Text(audit[1], "via")));
        Assert.Contains("Audit: write plc/setpoint by alice (key desk-1): ok; requested 321, old ", gateway.Log, StringComparison.Ordinal);

        // Published on {prefix}/audit from the durable buffer, oldest first, numbered as on the status page.
        JsonElement[] published = await AuditPublishedAsync(subscriber, 2);
        Assert.Equal(audit.Reverse().Select(a => a.GetProperty("seq").GetInt64()), published.Select(a => a.GetProperty("seq").GetInt64()));
        Assert.Equal(("w-es-1", "alice", "ok", 321.0), (Text(published[0], "id"), Text(published[0], "who"), Text(published[0], "outcome"), Number(published[0], "confirmed")));
        Assert.Equal(("bob", "night", 321.0, 322.0), (Text(published[1], "who"), Text(published[1], "kid"), Number(published[1], "old"), Number(published[1], "requested")));

        // And as a browser shows them: the page's "Operator writes" table, and the writable tag marked.
        string dom = await Service.HeadlessChromium.DumpDomAsync($"http://127.0.0.1:{await HttpPortAsync()}/", Path.Combine(Directory, "profile"));
        Assert.Matches(@"<tr class=""o-ok"" data-seq=""" + published[0].GetProperty("seq").GetInt64().ToString(CultureInfo.InvariantCulture) + @""" data-id=""w-es-1""><td class=""small"">\d\d:\d\d:\d\d</td><td class=""who"">alice \(desk-1\)</td><td class=""target"">plc/setpoint</td><td class=""change"">\d+ → 321 \(read 321\)</td><td class=""outcome"">ok</td></tr>", dom);
        Assert.Matches(@"<tr class=""o-ok"" data-seq=""" + published[1].GetProperty("seq").GetInt64().ToString(CultureInfo.InvariantCulture) + @""" data-id=""[^""]+""><td class=""small"">[^<]+</td><td class=""who"">bob \(night\)</td><td class=""target"">plc/setpoint</td><td class=""change"">321 → 322 \(read 322\)</td>", dom);
        Assert.Contains("<td class=\"tag\">setpoint ✎</td>", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_Refusals_EachAnsweredWithItsReason_NothingWrittenAndEachAudited()
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = StartGateway();
        await gateway.WithLogAsync(TagValueAsync(subscriber, "plc", "limited", _ => true));
        int[] registers = [await ModbusReadHoldingAsync(30), await ModbusReadHoldingAsync(32)];

        // The one write that goes through uses up the rate limit of plc/limited (1/1h); its token is replayed below.
        string limited = await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Write("plc", "limited", 5, "alice", jti: "w-limited-1"));
        AssertOk(await SendAsync(gateway, subscriber, limited), "w-limited-1");

        (string Name, string Token, string Code, string Reason)[] refused =
        [
            ("unsigned", """{"device":"plc","tag":"range","value":7,"by":"mallory"}""", "unsigned", "unsigned command refused"),
            ("not allowed by the key", await Tokens.CliWriteAsync("plc/range", "7", "bob", CommandTokens.NightKid), "not_allowed", "key 'night' may not send write for 'plc/range'"),
            ("wrong key", await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Write("plc", "range", 7, "mallory"), Tokens.ForeignPrivateKey), "signature", "not signed by key 'desk-1'"),
            ("tag not writable", await Tokens.CliWriteAsync("plc/fixed", "7", "alice"), "not_writable", "tag 'plc/fixed' is not writable"),
            ("out of range", await Tokens.CliWriteAsync("plc/range", "5000", "alice"), "out_of_range", "5000 is outside the range of tag 'plc/range' (0 to 1000"),
            ("stale expect", await Tokens.CliWriteAsync("plc/range", "7", "alice", CommandTokens.DeskKid, "--expect", "99"), "expect", "not the expected 99"),
            ("rate-limited", await Tokens.CliWriteAsync("plc/limited", "6", "alice"), "rate_limited", "rate_limit 1/1h"),
            ("replayed", limited, "replayed", "was already executed"),
            ("unknown tag", await Tokens.CliWriteAsync("plc/nope", "1", "alice"), "unknown_target", "device 'plc' has no tag 'nope'"),
        ];
        foreach ((string name, string token, string code, string reason) in refused)
        {
            JsonElement result = await SendAsync(gateway, subscriber, token);
            Assert.True(Text(result, "code") == code, $"{name}: {result}");
            Assert.False(result.GetProperty("ok").GetBoolean(), $"{name}: {result}");
            Assert.Contains(reason, Text(result, "error"), StringComparison.Ordinal);
            if (code == "replayed")
            {
                // The first result rides along: a desk whose answer was lost learns the outcome at least once.
                Assert.True(result.GetProperty("original").GetProperty("ok").GetBoolean(), result.ToString());
            }
        }

        // Nothing reached the device: one write to plc/limited (the allowed one), none to the others.
        Assert.Equal((0, 1, 0), (OperatorWritePeers.WritesTo(_peers.Libmodbus, 30), OperatorWritePeers.WritesTo(_peers.Libmodbus, 31), OperatorWritePeers.WritesTo(_peers.Libmodbus, 32)));
        Assert.Equal(registers, new[] { await ModbusReadHoldingAsync(30), await ModbusReadHoldingAsync(32) });
        Assert.Equal(5, await ModbusReadHoldingAsync(31));

        // One audit record per attempt, refusals with their code and reason; an unverified sender has no name.
        JsonElement[] audit = await AuditAsync();
        Assert.Equal(refused.Length + 1, audit.Length);
        Assert.Equal(refused.Reverse().Select(r => (string?)r.Code).Append(null).ToArray(), audit.Select(a => Text(a, "code")).ToArray());
        Assert.All(audit.SkipLast(1), a => Assert.Equal("refused", Text(a, "outcome")));
        JsonElement unsigned = audit[^2];
        Assert.Equal((null, null, null), (Text(unsigned, "who"), Text(unsigned, "device"), Text(unsigned, "kid")));
        JsonElement notAllowed = audit[^3];
        Assert.Equal(("bob", "night", "plc", "range"), (Text(notAllowed, "who"), Text(notAllowed, "kid"), Text(notAllowed, "device"), Text(notAllowed, "tag")));
        await gateway.WaitForLogCountAsync("Audit: write ", refused.Length + 1, TestTimeouts.Short); // the log can trail the messages
        Assert.Equal(refused.Length, Count(gateway.Log, "Audit: write ") - 1);

        // The same records on {prefix}/audit, in the order decided (seqs increasing), each with its code.
        JsonElement[] published = await AuditPublishedAsync(subscriber, refused.Length + 1);
        Assert.Equal(audit.Reverse().Select(a => Text(a, "code")), published.Select(a => Text(a, "code")));
        long[] seqs = published.Select(a => a.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal((null, null, "refused"), (Text(published[1], "who"), Text(published[1], "kid"), Text(published[1], "outcome")));
    }

    [Fact]
    public async Task Write_HostileValuesAndNames_RefusedCleanly_NothingWrittenGatewayKeepsRunning()
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = StartGateway();
        await gateway.WithLogAsync(TagValueAsync(subscriber, "plc", "raw", _ => true));
        int raw = await ModbusReadHoldingAsync(40);

        (string Name, Dictionary<string, object> Claims, string Code)[] hostile =
        [
            ("text to a uint16", CommandTokens.Write("plc", "raw", "abc", "alice"), "value"),
            ("digits as text", CommandTokens.Write("plc", "raw", "12", "alice"), "value"),
            ("70000 to a uint16", CommandTokens.Write("plc", "raw", 70000, "alice"), "value"),
            ("negative", CommandTokens.Write("plc", "raw", -1, "alice"), "value"),
            ("fraction", CommandTokens.Write("plc", "raw", 3.5, "alice"), "value"),
            ("huge", CommandTokens.Write("plc", "raw", 1e300, "alice"), "value"),
            ("NaN as text", CommandTokens.Write("plc", "raw", "NaN", "alice"), "value"),
            ("a boolean", CommandTokens.Write("plc", "raw", true, "alice"), "value"),
            ("null", CommandTokens.Write("plc", "raw", null, "alice"), "claims"),
            ("an object", CommandTokens.Write("plc", "raw", new Dictionary<string, int> { ["a"] = 1 }, "alice"), "claims"),
            ("a list", CommandTokens.Write("plc", "raw", new[] { 1, 2 }, "alice"), "claims"),
            ("wildcard device", CommandTokens.Write("*", "raw", 1, "alice"), "claims"),
            ("path in the device", CommandTokens.Write("../plc", "raw", 1, "alice"), "claims"),
            ("device with a slash", CommandTokens.Write("plc/raw", "raw", 1, "alice"), "claims"),
            ("MQTT wildcard tag", CommandTokens.Write("plc", "#", 1, "alice"), "claims"),
            ("glob tag", CommandTokens.Write("plc", "r*", 1, "alice"), "claims"),
            ("path in the tag", CommandTokens.Write("plc", "../raw", 1, "alice"), "claims"),
            ("line break in the device", CommandTokens.Write("plc\n", "raw", 1, "alice"), "claims"),
            ("upper-case device", CommandTokens.Write("PLC", "raw", 1, "alice"), "claims"),
        ];
        foreach ((string name, Dictionary<string, object> claims, string code) in hostile)
        {
            JsonElement result = await SendAsync(gateway, subscriber, await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, claims));
            Assert.True(Text(result, "code") == code && !result.GetProperty("ok").GetBoolean(), $"{name}: {result}");
        }

        // An infinite number: PyJWT writes it as Infinity, which is not JSON.
        JsonElement infinite = await SendAsync(gateway, subscriber, await Tokens.PyJwtRawAsync("ES256", CommandTokens.DeskKid, JsonSerializer.Serialize(CommandTokens.Write("plc", "raw", 0, "alice")).Replace("\"value\":0", "\"value\":1e400", StringComparison.Ordinal)));
        Assert.Equal("claims", Text(infinite, "code"));

        Assert.Equal(0, OperatorWritePeers.WritesTo(_peers.Libmodbus, 40));
        Assert.Equal(raw, await ModbusReadHoldingAsync(40));
        Assert.Equal(hostile.Length + 1, (await AuditAsync()).Length);
        Assert.Contains("does not fit a uint16 (0..65535)", gateway.Log, StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
        Assert.DoesNotContain("Unhandled exception", gateway.Log, StringComparison.Ordinal);

        // Still writing: a good value goes through.
        AssertOk(await SendAsync(gateway, subscriber, await Tokens.CliWriteAsync("plc/raw", "65535", "alice")), null);
        Assert.Equal(65535, await ModbusReadHoldingAsync(40));
    }

    [Fact]
    public async Task Write_DeviceAnswersWithAnException_OkFalseNamingIt_Audited()
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = StartGateway();
        await gateway.WithLogAsync(TagValueAsync(subscriber, "plc", "raw", _ => true));

        JsonElement result = await SendAsync(gateway, subscriber, await Tokens.CliWriteAsync("plc/hole", "1", "alice"));

        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(("device_error", "IllegalDataAddress (02)"), (Text(result, "code"), Text(result, "device_status")));
        Assert.Contains("refused the write of tag 'hole' (holding:505)", Text(result, "error"), StringComparison.Ordinal);
        JsonElement audit = Assert.Single(await AuditAsync());
        Assert.Equal(("device_error", "IllegalDataAddress (02)"), (Text(audit, "outcome"), Text(audit, "device_status")));

        // The device saw the write and refused it; the token is used up all the same (resend with a new one).
        Assert.True(OperatorWritePeers.WritesTo(_peers.Libmodbus, 505) >= 1);
    }

    [Fact]
    public async Task Write_DeviceOffline_AnsweredOfflineAndNotSent_TokenNotUsedUpNorRateLimitCounted()
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = StartGateway();
        await gateway.WithLogAsync(TagValueAsync(subscriber, "plc", "raw", _ => true));

        // Twice with the same token: not sent, so the token is not used up (no "replay") and the tag's rate limit of
        // one write an hour does not count it (no "rate_limited"). A failure around a write that was sent would be
        // device_error and use both up.
        string token = await Tokens.CliWriteAsync("gone/valve", "5", "alice");
        foreach (int attempt in new[] { 1, 2 })
        {
            JsonElement result = await SendAsync(gateway, subscriber, token);
            Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
            Assert.True(Text(result, "code") == "offline", $"attempt {attempt}: {result}");
            Assert.Contains("device 'gone' is offline", Text(result, "error"), StringComparison.Ordinal);
        }

        JsonElement[] audit = await AuditAsync();
        Assert.Equal(2, audit.Length);
        Assert.All(audit, a => Assert.Equal(("device_error", "offline"), (Text(a, "outcome"), Text(a, "device_status"))));
    }

    [Fact]
    public async Task Write_GatewayKilledAfterTheDeviceAnswered_AuditedAsInterruptedAtRestart_RedeliveryRefusedAsReplay_WrittenOnce()
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        string token = await Tokens.CliWriteAsync("plc/journaled", "4321", "alice");
        await using (GatewayProcess killed = StartGateway(new Dictionary<string, string> { ["SMARTCITY_EDGE_TEST_KILL_AT"] = "write-after-device" }))
        {
            await killed.WithLogAsync(TagValueAsync(subscriber, "plc", "journaled", _ => true));
            await subscriber.PublishAsync(WriteTopic, token);
            await killed.WaitForExitAsync();
            Assert.Contains("kill point write-after-device reached", killed.Log, StringComparison.Ordinal);
        }

        // The device has it; the trail has nothing yet, and the command was never acknowledged to the broker.
        Assert.Equal(4321, await ModbusReadHoldingAsync(41));
        Assert.Equal(1, OperatorWritePeers.WritesTo(_peers.Libmodbus, 41));

        // At the restart the write is audited as interrupted before the broker's redelivery of the command is handled:
        // that is refused as a replay, so the device is not written a second time.
        await using GatewayProcess restarted = StartGateway();
        List<ReceivedMessage> answered = await restarted.WithLogAsync(subscriber.CollectUntilAsync(r => r.Any(m => m.Topic == Result), TestTimeouts.Long));
        JsonElement replay = answered.Single(m => m.Topic == Result).Json;
        Assert.True(Text(replay, "code") == "replayed", replay.ToString());
        Assert.Equal(("interrupted", "journaled"), (Text(replay.GetProperty("original"), "code"), Text(replay.GetProperty("original"), "tag")));
        await restarted.WaitForLogAsync("audited as interrupted", TestTimeouts.Long);

        JsonElement[] audit = (await AuditAsync()).OrderBy(a => a.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(new[] { "interrupted", "refused" }, audit.Select(a => Text(a, "outcome")).ToArray());
        JsonElement interrupted = audit[0];
        Assert.Equal(("alice", CommandTokens.DeskKid, "plc", "journaled", 4321.0), (Text(interrupted, "who"), Text(interrupted, "kid"), Text(interrupted, "device"), Text(interrupted, "tag"), interrupted.GetProperty("requested").GetDouble()));
        Assert.Contains("whether the device carried it out is unknown", Text(interrupted, "reason"), StringComparison.Ordinal);
        Assert.Equal(1, OperatorWritePeers.WritesTo(_peers.Libmodbus, 41));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(Directory, "data", "writes-in-progress")));
    }

    [Fact]
    public async Task Start_DamagedAndOversizedWriteJournalFiles_MovedAsideWithAnError_CommandsStillServed()
    {
        string folder = Path.Combine(Directory, "data", "writes-in-progress");
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "0000000000000000001-garbage.write"), "not a journal file"u8.ToArray());
        File.WriteAllBytes(Path.Combine(folder, "0000000000000000002-huge.write"), new byte[1 << 20]);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = StartGateway();

        await gateway.WaitForLogCountAsync("is damaged", 2, TestTimeouts.Long);
        Assert.Equal(2, System.IO.Directory.GetFiles(folder, "*.write.damaged").Length);
        Assert.Empty(System.IO.Directory.GetFiles(folder, "*.write"));

        // Nothing invented from them, and the command service runs: the next command is answered.
        await gateway.WithLogAsync(TagValueAsync(subscriber, "plc", "raw", _ => true));
        JsonElement refused = await SendAsync(gateway, subscriber, await Tokens.CliWriteAsync("plc/fixed", "1", "alice"));
        Assert.Equal("not_writable", Text(refused, "code"));
        Assert.DoesNotContain((await AuditAsync()).Select(a => Text(a, "outcome")), o => o == "interrupted");
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task Write_Coil_ReachesPymodbus_ConfirmedByReadBack()
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = StartGateway();
        await gateway.WithLogAsync(TagValueAsync(subscriber, "doors", "release", _ => true));

        JsonElement result = await SendAsync(gateway, subscriber, await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Write("doors", "release", true, "alice")));
        AssertOk(result, null);
        Assert.True(result.GetProperty("confirmed").GetBoolean(), result.ToString());
        Assert.Equal(1, OperatorWritePeers.WritesTo(_peers.Pymodbus, 7));
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("modbus", "read", "coil:7", "--host", "127.0.0.1", "--port", Port(_peers.Pymodbus), "--unit", "1");
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("coil:7  1 (on)", stdout, StringComparison.Ordinal);

        // Not among allowed_values [true, false]: refused, and no second write reaches pymodbus.
        JsonElement five = await SendAsync(gateway, subscriber, await Tokens.CliWriteAsync("doors/release", "5", "alice"));
        Assert.Equal("value_not_allowed", Text(five, "code"));
        Assert.Equal(1, OperatorWritePeers.WritesTo(_peers.Pymodbus, 7));
    }

    [Fact]
    public async Task Write_OpcUaVariable_ChangedAndConfirmed_ReadOnlyVariableAnswersBadNotWritable()
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = StartGateway();
        await gateway.WithLogAsync(TagValueAsync(subscriber, "ua", "count", _ => true));

        JsonElement result = await SendAsync(gateway, subscriber, await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Write("ua", "count", 4711, "alice")));
        AssertOk(result, null);
        Assert.Equal(4711, Number(result, "confirmed"));
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("opcua", "read", $"opc.tcp://127.0.0.1:{Port(_peers.OpcUa)}", "ns=1;s=Writable.UInt16", "--data-dir", Path.Combine(Directory, "cli"));
        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Matches(@"ns=1;s=Writable.UInt16\s+UInt16 = 4711\s+Good", stdout);

        JsonElement locked = await SendAsync(gateway, subscriber, await Tokens.CliWriteAsync("ua/locked", "1.5", "alice"));
        Assert.Equal(("device_error", "BadNotWritable"), (Text(locked, "code"), Text(locked, "device_status")));

        JsonElement tooBig = await SendAsync(gateway, subscriber, await Tokens.CliWriteAsync("ua/count", "70000", "alice"));
        Assert.Equal("value", Text(tooBig, "code"));
        Assert.Contains("70000 does not fit a UInt16 variable", Text(tooBig, "error"), StringComparison.Ordinal);

        JsonElement[] audit = await AuditAsync();
        Assert.Equal(new[] { "refused", "device_error", "ok" }, audit.Select(a => Text(a, "outcome")).ToArray());
    }

    private GatewayProcess StartGateway(IReadOnlyDictionary<string, string>? environment = null)
    {
        string config = TestConfigs.Write(Directory, $$"""
            gateway:
              id: write-gw
              site: lab
              data_dir: {{Path.Combine(Directory, "data")}}
            devices:
              - id: plc
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{Port(_peers.Libmodbus)}}
                unit_id: 1
                poll_interval: 100ms
                tags:
                  - { id: setpoint, address: "holding:20", type: uint16, writable: true, min: 0, max: 1000, confirm: read }
                  - { id: range, address: "holding:30", type: uint16, writable: true, min: 0, max: 1000 }
                  - { id: limited, address: "holding:31", type: uint16, writable: true, rate_limit: 1/1h }
                  - { id: fixed, address: "holding:32", type: uint16 }
                  - { id: raw, address: "holding:40", type: uint16, writable: true }
                  - { id: journaled, address: "holding:41", type: uint16, writable: true }
                  - { id: hole, address: "holding:505", type: uint16, writable: true }
              - id: doors
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{Port(_peers.Pymodbus)}}
                unit_id: 1
                poll_interval: 100ms
                tags:
                  - { id: release, address: "coil:7", writable: true, allowed_values: [true, false], confirm: read }
              - id: ua
                driver: opcua
                endpoint: opc.tcp://127.0.0.1:{{Port(_peers.OpcUa)}}
                tags:
                  - { id: count, node: "ns=1;s=Writable.UInt16", mode: poll, writable: true, confirm: read }
                  - { id: locked, node: "ns=1;s=Writable.ReadOnly", mode: poll, writable: true }
              - id: gone
                driver: modbus-tcp
                host: 127.0.0.1
                port: {{_deadPort}}
                unit_id: 1
                poll_interval: 100ms
                tags:
                  - { id: valve, address: "holding:1", type: uint16, writable: true, rate_limit: 1/1h }
            {{Tokens.Section(nightAllow: "write:plc/setpoint write:plc/limited", deskAllow: "ack write:plc/* write:doors/* write:ua/* write:gone/*")}}
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{{Broker.Port}}
                client_id: write-gw
                topic_prefix: {{Prefix}}
            http:
              listen: 127.0.0.1:0
            """);
        _gateway = GatewayProcess.Start(environment ?? new Dictionary<string, string>(), "run", "--config", config);
        return _gateway;
    }

    /// <summary>Publishes a command and returns the next result (the messages before it are kept for <see cref="TagValueAsync"/>).</summary>
    private async Task<JsonElement> SendAsync(GatewayProcess gateway, MqttTestSubscriber subscriber, string token)
    {
        await subscriber.PublishAsync(WriteTopic, token);
        List<ReceivedMessage> answered = await gateway.WithLogAsync(subscriber.CollectUntilAsync(r => r.Any(m => m.Topic == Result), TestTimeouts.Long));
        _received.AddRange(answered);
        return answered.Single(m => m.Topic == Result).Json;
    }

    /// <summary>Waits for telemetry of one tag (received so far, or still to come) whose good value matches; returns that value.</summary>
    private async Task<double> TagValueAsync(MqttTestSubscriber subscriber, string device, string tag, Func<double, bool> match)
    {
        double? Find(IEnumerable<ReceivedMessage> received)
        {
            double? found = null;
            foreach (JsonElement reading in received.Where(m => m.Topic == $"{Prefix}/telemetry/{device}").SelectMany(m => m.Json.GetProperty("readings").EnumerateArray()))
            {
                if (Text(reading, "tag") == tag && Text(reading, "quality") == "good" && reading.GetProperty("value") is { } value
                    && (value.ValueKind == JsonValueKind.Number ? value.GetDouble() : value.GetBoolean() ? 1 : 0) is double number)
                {
                    found = match(number) ? number : null; // the latest reading decides
                }
            }

            return found;
        }

        List<ReceivedMessage> more = await subscriber.CollectUntilAsync(r => Find(_received.Concat(r)) is not null, TestTimeouts.Long);
        _received.AddRange(more);
        return Find(_received)!.Value;
    }

    /// <summary>
    /// The audit records received on <c>{prefix}/audit</c>, waiting until there are <paramref name="count"/>: deduplicated
    /// by seq (delivery is at least once), in the order received.
    /// </summary>
    private async Task<JsonElement[]> AuditPublishedAsync(MqttTestSubscriber subscriber, int count)
    {
        static JsonElement[] Published(IEnumerable<ReceivedMessage> received) =>
            received.Where(m => m.Topic == Prefix + "/audit").Select(m => m.Json).DistinctBy(a => a.GetProperty("seq").GetInt64()).ToArray();

        if (Published(_received).Length < count)
        {
            _received.AddRange(await subscriber.CollectUntilAsync(r => Published(_received.Concat(r)).Length >= count, TestTimeouts.Long));
        }

        JsonElement[] published = Published(_received);
        Assert.Equal(count, published.Length);
        return published;
    }

    /// <summary>The port the status page of the gateway of <see cref="StartGateway"/> bound (it logs it).</summary>
    private Task<int> HttpPortAsync() => (_gateway ?? throw new InvalidOperationException("no gateway started")).WaitForHttpPortAsync();

    private async Task<JsonElement[]> AuditAsync()
    {
        using var http = new HttpClient();
        JsonElement status = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{await HttpPortAsync()}/api/status")).RootElement;
        return status.GetProperty("audit").EnumerateArray().ToArray();
    }

    /// <summary>mbpoll, an independent Modbus master: holding register <paramref name="address"/> (0-based) of the libmodbus peer.</summary>
    private Task<int> MbpollHoldingAsync(int address) => OperatorWritePeers.MbpollHoldingAsync(_peers.Libmodbus, address);

    /// <summary>Our technician's tool: holding register <paramref name="address"/> of the libmodbus peer as a uint16.</summary>
    private async Task<int> ModbusReadHoldingAsync(int address)
    {
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(
            "modbus", "read", $"holding:{address}", "--type", "uint16", "--host", "127.0.0.1", "--port", Port(_peers.Libmodbus), "--unit", "1");
        Match value = Regex.Match(stdout, $@"holding:{address}\s+uint16 ABCD\s+(\d+)");
        Assert.True(exitCode == 0 && value.Success, stdout + stderr);
        return int.Parse(value.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static void AssertOk(JsonElement result, string? id)
    {
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal("write", Text(result, "command"));
        if (id is not null)
        {
            Assert.Equal(id, Text(result, "id"));
        }
    }

    private static string Port(PeerProcess peer) => peer.Port.ToString(CultureInfo.InvariantCulture);

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double Number(JsonElement json, string name) => json.GetProperty(name).GetDouble();

    private static int Count(string log, string text) => log.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));
}
