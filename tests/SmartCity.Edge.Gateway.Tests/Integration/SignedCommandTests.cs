using System.Net.Http;
using System.Text;
using System.Text.Json;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Signed operator commands through the real binary and a real mosquitto, with tokens made by PyJWT (Debian
/// python3-jwt, an independent JWS implementation) and by our own CLI. Valid acks are applied (ES256 and HS256);
/// every forged, stale, replayed or misdirected one is answered <c>ok:false</c> with its reason and changes nothing —
/// no alarm transition, no output written (the siren an ack would reset stays on).
/// </summary>
public sealed class SignedCommandTests : BrokerTest
{
    private const string Prefix = AlarmConfigs.Prefix;
    private const string Result = Prefix + "/commands/result";
    private const string AckTopic = Prefix + "/commands/ack";

    private CommandTokens? _tokens;

    private CommandTokens Tokens => _tokens ??= new CommandTokens(Path.Combine(Directory, "keys"));

    [Fact]
    public async Task Ack_Es256FromPyJwtAndHs256FromCli_Applied_SameTokenAgainRefusedAsReplayAlsoAfterRestart()
    {
        string config = TestConfigs.Write(Directory, AlarmConfigs.LatchedPark(Path.Combine(Directory, "data"), Broker.Port, Tokens.Section(nightAllow: "ack:level-warning"), httpEndpoint: true));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        long high, warning;
        string desk;
        await using (GatewayProcess gateway = GatewayProcess.Start("run", "--config", config))
        {
            List<ReceivedMessage> raised = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
                r => Active(r, "level-high") is not null && Active(r, "level-warning") is not null && SirenValues(r).Contains(1), TestTimeouts.Long));
            (high, warning) = (Seq(Active(raised, "level-high")!.Value), Seq(Active(raised, "level-warning")!.Value));

            // ES256, signed by PyJWT with the desk's private key; the gateway holds only the public key.
            desk = await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Ack("level-high", high, "alice", jti: "tok-es-1", comment: "fire brigade called"));
            await subscriber.PublishAsync(AckTopic, desk);
            List<ReceivedMessage> acked = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
                r => Acknowledged(r, "level-high") is not null && r.Any(m => m.Topic == Result) && SirenValues(r).Contains(0), TestTimeouts.Long));
            JsonElement ack = Acknowledged(acked, "level-high")!.Value;
            Assert.Equal(("alice", "fire brigade called", "desk-1"), (Text(ack, "ack", "by"), Text(ack, "ack", "comment"), Text(ack, "ack", "key")));
            Assert.Equal(high, ack.GetProperty("occurrence").GetInt64());
            JsonElement result = Single(acked, Result);
            Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
            Assert.Equal(("tok-es-1", "acknowledged"), (Text(result, "id"), Text(result, "state")));

            // The status page shows who acknowledged (the token's sub) and which occurrence.
            using var http = new HttpClient();
            JsonElement status = JsonDocument.Parse(await http.GetStringAsync(new Uri(await gateway.WaitForHttpAsync(), "api/status"))).RootElement;
            JsonElement shown = status.GetProperty("alarms").EnumerateArray().Single(a => Text(a, "id") == "level-high");
            Assert.Equal(("acknowledged", "alice", high), (Text(shown, "state"), Text(shown, "ack", "by"), shown.GetProperty("occurrence").GetInt64()));

            // HS256, made by the technicians' CLI with the shared secret.
            string night = await Tokens.CliAsync("level-warning", warning, "bob", CommandTokens.NightKid, extra: ["--comment", "checked on site"]);
            await subscriber.PublishAsync(AckTopic, night);
            List<ReceivedMessage> nightAcked = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
                r => Acknowledged(r, "level-warning") is not null && r.Any(m => m.Topic == Result), TestTimeouts.Long));
            Assert.Equal(("bob", "night"), (Text(Acknowledged(nightAcked, "level-warning")!.Value, "ack", "by"), Text(Acknowledged(nightAcked, "level-warning")!.Value, "ack", "key")));
            Assert.True(Single(nightAcked, Result).GetProperty("ok").GetBoolean(), Single(nightAcked, Result).ToString());

            // The same token again: refused as a replay, nothing new published.
            JsonElement replay = await SendAndAwaitResultAsync(gateway, subscriber, desk);
            AssertRefused(replay, "replayed", "was already executed");
            Assert.Equal("acknowledged", Text(replay, "state"));
            await gateway.TerminateAsync();
        }

        // Remembered on disk: refused after a restart too.
        await using GatewayProcess restarted = GatewayProcess.Start("run", "--config", config);
        await restarted.WaitForLogAsync("Connected to MQTT broker", TestTimeouts.Long);
        AssertRefused(await SendAndAwaitResultAsync(restarted, subscriber, desk), "replayed", "tok-es-1");
        // The result can reach the subscriber before the gateway's log line reaches us: wait for the line itself.
        await restarted.WaitForLogAsync("Refused command on", TestTimeouts.Short);
        Assert.Equal(1, Count(restarted.Log, "Refused command on"));
        Assert.False(restarted.HasExited, restarted.Log);
    }

    [Fact]
    public async Task Refusals_EachAnsweredWithItsReasonAndLogged_NothingChanges()
    {
        string config = TestConfigs.Write(Directory, AlarmConfigs.LatchedPark(Path.Combine(Directory, "data"), Broker.Port, Tokens.Section(nightAllow: "ack:level-warning")));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        var seen = new List<ReceivedMessage>(await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Active(r, "level-high") is not null && SirenValues(r).Contains(1), TestTimeouts.Long)));
        long high = Seq(Active(seen, "level-high")!.Value);

        (string Name, string Token, string Code, string Reason)[] forged =
        [
            ("unsigned", """{"alarm":"level-high","by":"mallory"}""", "unsigned", "unsigned command refused"),
            ("wrong key", await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Ack("level-high", high, "mallory"), Tokens.ForeignPrivateKey), "signature", "not signed by key 'desk-1'"),
            ("alg none", await Tokens.PyJwtAsync("none", CommandTokens.DeskKid, CommandTokens.Ack("level-high", high, "mallory")), "algorithm", "alg none"),
            ("unknown kid", await Tokens.PyJwtAsync("HS256", "ghost", CommandTokens.Ack("level-high", high, "mallory")), "unknown_key", "unknown key 'ghost'"),
            ("expired", await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Ack("level-high", high, "alice", issuedAgo: TimeSpan.FromMinutes(10))), "expired", "the gateway's clock says"),
            ("too long-lived", await Tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Ack("level-high", high, "alice", lifetime: TimeSpan.FromHours(1))), "lifetime", "longer than commands.max_lifetime 5m"),
            ("wrong occurrence", await Tokens.CliAsync("level-high", high + 1000, "alice"), "occurrence", $"ack for occurrence {high + 1000} of alarm 'level-high' refused"),
            ("not allowed", await Tokens.CliAsync("level-high", high, "bob", CommandTokens.NightKid), "not_allowed", "key 'night' may not send ack for 'level-high'"),
        ];
        foreach ((string name, string token, string code, string reason) in forged)
        {
            JsonElement result = await SendAndAwaitResultAsync(gateway, subscriber, token, seen);
            Assert.True(Text(result, "code") == code, $"{name}: {result}");
            AssertRefused(result, code, reason);
        }

        // A log line each, and no change at all: no acknowledged transition, the siren still on. A result can reach the
        // subscriber before the gateway's log line reaches us: wait for the lines themselves, then count them exactly.
        string refusedLine = "Refused command on " + "'" + AckTopic + "'";
        await gateway.WaitForLogCountAsync(refusedLine, forged.Length, TestTimeouts.Short);
        Assert.Equal(forged.Length, Count(gateway.Log, refusedLine));
        Assert.Null(Acknowledged(seen, "level-high"));
        Assert.DoesNotContain(0, SirenValues(seen).SkipWhile(v => v != 1));

        // The same alarm with a valid token: acknowledged and the siren reset, so the test could see a change.
        await subscriber.PublishAsync(AckTopic, await Tokens.CliAsync("level-high", high, "alice"));
        seen.AddRange(await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Acknowledged(r, "level-high") is not null && SirenValues(r).Contains(0), TestTimeouts.Long)));
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task HostilePayloads_RefusedCleanly_GatewayKeepsRunningAndNothingChanges()
    {
        string config = TestConfigs.Write(Directory, AlarmConfigs.LatchedPark(Path.Combine(Directory, "data"), Broker.Port, Tokens.Section()));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        var seen = new List<ReceivedMessage>(await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Active(r, "level-high") is not null, TestTimeouts.Long)));
        long high = Seq(Active(seen, "level-high")!.Value);
        string valid = await Tokens.PyJwtAsync("HS256", CommandTokens.NightKid, CommandTokens.Ack("level-high", high, "alice"));
        string deepClaims = JsonSerializer.Serialize(CommandTokens.Ack("level-high", high, "alice")).TrimEnd('}') + ",\"x\":" + new string('[', 500) + new string(']', 500) + "}";
        string hugeComment = JsonSerializer.Serialize(CommandTokens.Ack("level-high", high, "alice", comment: new string('c', 20_000)));

        (string Name, byte[] Payload, string[] Codes)[] hostile =
        [
            ("oversized", Encoding.ASCII.GetBytes(valid + new string('A', 20_000)), ["too_large"]),
            ("huge signed claims", Encoding.ASCII.GetBytes(await Tokens.PyJwtRawAsync("HS256", CommandTokens.NightKid, hugeComment)), ["too_large"]),
            ("garbage base64", "!!!!.????.****"u8.ToArray(), ["malformed"]),
            ("two parts", Encoding.ASCII.GetBytes(string.Join('.', valid.Split('.').Take(2))), ["malformed"]),
            ("binary", Enumerable.Range(0, 4000).Select(i => (byte)(i * 7919 % 251)).ToArray(), ["malformed"]),
            ("invalid UTF-8", [.. "eyJhbGciOiJIUzI1NiJ9."u8, 0xC3, 0x28, 0xFF, .. ".c2ln"u8], ["malformed"]),
            ("not JSON", "hello gateway"u8.ToArray(), ["malformed"]),
            ("deeply nested signed claims", Encoding.ASCII.GetBytes(await Tokens.PyJwtRawAsync("HS256", CommandTokens.NightKid, deepClaims)), ["claims"]),
            ("empty", [], ["malformed"]),
        ];
        foreach ((string name, byte[] payload, string[] codes) in hostile)
        {
            await subscriber.PublishBytesAsync(AckTopic, payload);
            List<ReceivedMessage> answered = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => r.Any(m => m.Topic == Result), TestTimeouts.Long));
            seen.AddRange(answered);
            JsonElement result = Single(answered, Result);
            Assert.True(!result.GetProperty("ok").GetBoolean() && codes.Contains(Text(result, "code")), $"{name}: {result}");
        }

        Assert.Null(Acknowledged(seen, "level-high"));
        Assert.False(gateway.HasExited, gateway.Log);
        Assert.DoesNotContain("Unhandled exception", gateway.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnexpectedFailureInACommand_LoggedAndDropped_GatewayKeepsRunning_NotRedeliveredAfterRestart()
    {
        string config = TestConfigs.Write(Directory, AlarmConfigs.LatchedPark(Path.Combine(Directory, "data"), Broker.Port, Tokens.Section()));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        var seen = new List<ReceivedMessage>();
        long high;
        var fault = new Dictionary<string, string> { ["SMARTCITY_EDGE_TEST_FAULT_AT"] = "command-execute" };
        await using (GatewayProcess faulty = GatewayProcess.Start(fault, "run", "--config", config))
        {
            seen.AddRange(await WithLogAsync(faulty, subscriber.CollectUntilAsync(r => Active(r, "level-high") is not null, TestTimeouts.Long)));
            high = Seq(Active(seen, "level-high")!.Value);

            // Every command throws where nobody expects it: each is logged, and the command loop goes on.
            await subscriber.PublishAsync(AckTopic, await Tokens.CliAsync("level-high", high, "alice"));
            await faulty.WaitForLogCountAsync("failed unexpectedly", 1, TestTimeouts.Long);
            await subscriber.PublishAsync(AckTopic, await Tokens.CliAsync("level-high", high, "bob"));
            await faulty.WaitForLogCountAsync("failed unexpectedly", 2, TestTimeouts.Long);
            Assert.Contains($"Command on '{AckTopic}' failed unexpectedly (SMARTCITY_EDGE_TEST_FAULT_AT: test fault at command-execute)", faulty.Log, StringComparison.Ordinal);
            Assert.False(faulty.HasExited, faulty.Log);
            await faulty.TerminateAsync();
        }

        // Both were acknowledged to the broker: had they stayed in the persistent session, the broker would deliver
        // them again right after the next CONNACK, before the new command, and alice's would acknowledge the alarm.
        await using GatewayProcess healthy = GatewayProcess.Start("run", "--config", config);
        await healthy.WaitForLogAsync("Connected to MQTT broker", TestTimeouts.Long);
        await subscriber.PublishAsync(AckTopic, await Tokens.CliAsync("level-high", high, "carol"));
        List<ReceivedMessage> acked = await WithLogAsync(healthy, subscriber.CollectUntilAsync(
            r => Acknowledged(r, "level-high") is not null && r.Any(m => m.Topic == Result), TestTimeouts.Long));
        Assert.Equal("carol", Text(Acknowledged(acked, "level-high")!.Value, "ack", "by"));
        Assert.True(Single(acked, Result).GetProperty("ok").GetBoolean(), Single(acked, Result).ToString());
        Assert.DoesNotContain("failed unexpectedly", healthy.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoKeys_AckRefusedSayingHowToConfigure_ReloadAddingAKeyAppliesTheNextOne()
    {
        string data = Path.Combine(Directory, "data");
        string config = TestConfigs.Write(Directory, AlarmConfigs.LatchedPark(data, Broker.Port, commands: string.Empty));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        List<ReceivedMessage> raised = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Active(r, "level-high") is not null, TestTimeouts.Long));
        long high = Seq(Active(raised, "level-high")!.Value);
        Assert.Contains("no signing keys configured (commands.keys): every command on " + AckTopic + " is refused", gateway.Log, StringComparison.Ordinal);

        JsonElement refused = await SendAndAwaitResultAsync(gateway, subscriber, await Tokens.CliAsync("level-high", high, "alice"));
        AssertRefused(refused, "no_keys", "add a key under commands.keys");

        // Keys apply live: the file watcher reloads, the next command is verified with the new key.
        TestConfigs.Write(Directory, AlarmConfigs.LatchedPark(data, Broker.Port, Tokens.Section()));
        await gateway.WaitForLogAsync("Commands: 2 signing keys (desk-1 ES256 allow [ack]; night HS256 allow [ack])", TestTimeouts.Long);
        await subscriber.PublishAsync(AckTopic, await Tokens.CliAsync("level-high", high, "alice"));
        List<ReceivedMessage> acked = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Acknowledged(r, "level-high") is not null && r.Any(m => m.Topic == Result), TestTimeouts.Long));
        Assert.True(Single(acked, Result).GetProperty("ok").GetBoolean(), Single(acked, Result).ToString());
        Assert.DoesNotContain(File.ReadAllText(Tokens.NightSecret).Trim(), gateway.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowUnsigned_PlainJsonAckApplied_WithAWarningAtStart()
    {
        string config = TestConfigs.Write(Directory, AlarmConfigs.LatchedPark(Path.Combine(Directory, "data"), Broker.Port, Tokens.Section(allowUnsigned: true)));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Active(r, "level-high") is not null, TestTimeouts.Long));
        Assert.Contains("allow_unsigned is on: unsigned JSON commands are accepted", gateway.Log, StringComparison.Ordinal);

        await subscriber.PublishAsync(AckTopic, """{"alarm":"level-high","by":"desk-1","id":"plain-1"}""");
        List<ReceivedMessage> acked = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Acknowledged(r, "level-high") is not null && r.Any(m => m.Topic == Result), TestTimeouts.Long));
        Assert.Equal("desk-1", Text(Acknowledged(acked, "level-high")!.Value, "ack", "by"));
        Assert.Equal(("plain-1", true), (Text(Single(acked, Result), "id"), Single(acked, Result).GetProperty("ok").GetBoolean()));
    }

    [Fact]
    public async Task MessageOnATopicNotSubscribed_IgnoredLoggedOnceNeverAnswered()
    {
        // A session under the gateway's client id that subscribed to all of commands/# — as a shared or misconfigured
        // session would — makes the broker deliver the gateway's own results back to it. Answering them would loop.
        await MosquittoSubscribeOnceAsync("alarm-gw", Prefix + "/commands/#");
        string config = TestConfigs.Write(Directory, AlarmConfigs.LatchedPark(Path.Combine(Directory, "data"), Broker.Port, Tokens.Section()));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Active(r, "level-high") is not null, TestTimeouts.Long));

        // Two commands, two answers: each answer comes back to the gateway on commands/result and must be ignored.
        await SendAndAwaitResultAsync(gateway, subscriber, "garbage");
        await gateway.WaitForLogAsync("Ignored a message on '" + Result + "': the gateway did not subscribe to that topic", TestTimeouts.Long);
        await SendAndAwaitResultAsync(gateway, subscriber, "more garbage");
        await gateway.WaitForLogCountAsync("Command on " + Result + " done: acknowledged to the broker", 2, TestTimeouts.Long);

        Assert.Equal(1, Count(gateway.Log, "Ignored a message on"));
        Assert.Equal(2, Count(gateway.Log, "Refused command on"));
        Assert.False(subscriber.Messages.TryRead(out ReceivedMessage? extra) && extra.Topic == Result, "an answer to an answer: " + extra);
    }

    /// <summary>Leaves a persistent session with a subscription under <paramref name="clientId"/> on the broker (mosquitto_sub -c, exits once subscribed).</summary>
    private async Task MosquittoSubscribeOnceAsync(string clientId, string filter)
    {
        var info = new System.Diagnostics.ProcessStartInfo("mosquitto_sub") { RedirectStandardError = true };
        foreach (string argument in new[] { "-h", "127.0.0.1", "-p", Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", clientId, "-c", "-q", "1", "-t", filter, "-E" })
        {
            info.ArgumentList.Add(argument);
        }

        using System.Diagnostics.Process process = System.Diagnostics.Process.Start(info)!;
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        Assert.True(process.ExitCode == 0, "mosquitto_sub -E failed: " + error);
    }

    private static async Task<JsonElement> SendAndAwaitResultAsync(GatewayProcess gateway, MqttTestSubscriber subscriber, string token, List<ReceivedMessage>? seen = null)
    {
        await subscriber.PublishAsync(AckTopic, token);
        List<ReceivedMessage> answered = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => r.Any(m => m.Topic == Result), TestTimeouts.Long));
        seen?.AddRange(answered);
        return Single(answered, Result);
    }

    private static void AssertRefused(JsonElement result, string code, string reason)
    {
        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(code, Text(result, "code"));
        Assert.Contains(reason, Text(result, "error"), StringComparison.Ordinal);
    }

    private static JsonElement? Active(List<ReceivedMessage> received, string alarm) => Transition(received, alarm, "active");

    private static JsonElement? Acknowledged(List<ReceivedMessage> received, string alarm) => Transition(received, alarm, "acknowledged");

    private static JsonElement? Transition(List<ReceivedMessage> received, string alarm, string state)
    {
        foreach (ReceivedMessage message in received.Where(m => m.Topic == Prefix + "/alarms"))
        {
            JsonElement json = message.Json;
            if (Text(json, "alarm") == alarm && Text(json, "state") == state)
            {
                return json;
            }
        }

        return null;
    }

    private static long Seq(JsonElement transition) => transition.GetProperty("seq").GetInt64();

    private static JsonElement Single(List<ReceivedMessage> received, string topic) => Assert.Single(received, m => m.Topic == topic).Json;

    private static string? Text(JsonElement json, params string[] path)
    {
        foreach (string name in path)
        {
            if (!json.TryGetProperty(name, out json))
            {
                return null;
            }
        }

        return json.GetString();
    }

    private static List<double> SirenValues(List<ReceivedMessage> received) =>
        received.Where(m => m.Topic == $"{Prefix}/telemetry/siren-panel")
            .SelectMany(m => m.Json.GetProperty("readings").EnumerateArray())
            .Select(r => r.GetProperty("value").GetDouble())
            .ToList();

    private static int Count(string log, string text) => log.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    private static async Task<T> WithLogAsync<T>(GatewayProcess gateway, Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\ngateway log:\n" + gateway.Log, ex);
        }
    }
}
