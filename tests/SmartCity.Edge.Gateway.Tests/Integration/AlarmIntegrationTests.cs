using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>The alarm engine through the real gateway binary, a real mosquitto and a real HTTP receiver.</summary>
public sealed class AlarmIntegrationTests : IAsyncLifetime
{
    private const string Prefix = AlarmConfigs.Prefix;
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-alarms-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task CounterAlarm_TripsAndClearsWithHysteresis_DelayHolds_StateRetained_SirenFollows()
    {
        string config = TestConfigs.Write(_directory, AlarmConfigs.Park(Path.Combine(_directory, "data"), _broker.Port));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        // Three full cycles of the counter, and the siren seen on and off.
        List<ReceivedMessage> received = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r => Transitions(r, "count-high").Count(t => t.GetProperty("state").GetString() == "cleared") >= 3
                && SirenValues(r).Contains(1) && SirenValues(r).SkipWhile(v => v != 1).Contains(0),
            TestTimeouts.Long));

        List<JsonElement> transitions = Transitions(received, "count-high");
        foreach (JsonElement t in transitions)
        {
            // Trips at the first value above 6; hysteresis holds it through 8, 9 and clears only at ≤ 2 (the wrap to 0).
            (string state, double value) = (t.GetProperty("state").GetString()!, t.GetProperty("value").GetDouble());
            Assert.True(value == (state == "active" ? 7 : 0), $"unexpected transition {t}");
            Assert.Equal($"count at {value.ToString(CultureInfo.InvariantCulture)}", t.GetProperty("message").GetString());
            Assert.Equal("high", t.GetProperty("severity").GetString());
        }

        Assert.Equal(
            transitions.Select((_, i) => i % 2 == 0 ? "active" : "cleared"),
            transitions.Select(t => t.GetProperty("state").GetString()));

        // Each clear names the raise it ends (its "occurrence": the seq of the active transition before it), also when
        // both were committed close together; the active transition's own seq is its occurrence.
        for (int i = 1; i < transitions.Count; i += 2)
        {
            Assert.False(transitions[i - 1].TryGetProperty("occurrence", out _), transitions[i - 1].ToString());
            Assert.Equal(transitions[i - 1].GetProperty("seq").GetInt64(), transitions[i].GetProperty("occurrence").GetInt64());
        }

        // The on-delay (1 s) is far longer than the counter stays above 6 (60 ms).
        Assert.True(Transitions(received, "count-high-delayed").Count == 0, "delayed alarm tripped: " + string.Join('\n', Transitions(received, "count-high-delayed")) + "\n" + gateway.Log);

        // Every transition also updated the retained state topic.
        Assert.Contains(received, m => m.Topic == $"{Prefix}/alarms/state/count-high" && m.Json.GetProperty("alarm").GetString() == "count-high");
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task Restart_WithActiveAlarm_StaysActiveWithoutDuplicate_AckViaMqttIsRetained_UnknownIdGetsError()
    {
        var tokens = new CommandTokens(Path.Combine(_directory, "keys"));
        string config = TestConfigs.Write(_directory, AlarmConfigs.Park(Path.Combine(_directory, "data"), _broker.Port) + "\n" + tokens.Section());
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");

        HashSet<long> seenBeforeRestart;
        long occurrence;
        await using (GatewayProcess first = GatewayProcess.Start("run", "--config", config))
        {
            List<ReceivedMessage> beforeRestart = await WithLogAsync(first, subscriber.CollectUntilAsync(r => Transitions(r, "level-high").Any(), TestTimeouts.Long));
            seenBeforeRestart = Transitions(beforeRestart, "level-high").Select(t => t.GetProperty("seq").GetInt64()).ToHashSet();
            occurrence = Transitions(beforeRestart, "level-high").Single(t => t.GetProperty("state").GetString() == "active").GetProperty("seq").GetInt64();
            await first.TerminateAsync();
        }

        // After the restart: wait until count-high has tripped on readings of the new process (panel/level is polled
        // with it and evaluated first), then no second "active" of level-high may have been sent.
        DateTimeOffset restarted = DateTimeOffset.UtcNow;
        await using GatewayProcess second = GatewayProcess.Start("run", "--config", config);
        List<ReceivedMessage> afterRestart = await WithLogAsync(second, subscriber.CollectUntilAsync(
            r => Transitions(r, "count-high").Any(t => t.GetProperty("state").GetString() == "active" && Timestamp(t) > restarted),
            TestTimeouts.Long));
        // Delivery is at-least-once: the first process may have stopped before the broker's PUBACK for the alarm,
        // and then the second sends the same record again (same seq), which a receiver drops. A new transition would
        // have a new seq.
        Assert.DoesNotContain(Transitions(afterRestart, "level-high"), t => !seenBeforeRestart.Contains(t.GetProperty("seq").GetInt64()));

        // Acknowledge over MQTT (signed, naming the occurrence restored from before the restart): a transition with the
        // ack, an ok result, and the retained state.
        await subscriber.PublishAsync(Prefix + "/commands/ack", await tokens.PyJwtAsync("ES256", CommandTokens.DeskKid, CommandTokens.Ack("level-high", occurrence, "desk-1", jti: "r1", comment: "gas team sent")));
        List<ReceivedMessage> acked = await WithLogAsync(second, subscriber.CollectUntilAsync(
            r => Transitions(r, "level-high").Any() && r.Any(m => m.Topic == $"{Prefix}/alarms/state/level-high")
                && r.Any(m => m.Topic == $"{Prefix}/commands/result"),
            TestTimeouts.Long));
        JsonElement ack = Assert.Single(Transitions(acked, "level-high"));
        Assert.Equal("acknowledged", ack.GetProperty("state").GetString());
        Assert.Equal("active", ack.GetProperty("previous").GetString());
        Assert.Equal("desk-1", ack.GetProperty("ack").GetProperty("by").GetString());
        Assert.Equal("gas team sent", ack.GetProperty("ack").GetProperty("comment").GetString());
        Assert.Equal("panel/level at 10 ppm", ack.GetProperty("message").GetString());
        JsonElement result = acked.Single(m => m.Topic == $"{Prefix}/commands/result").Json;
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Equal("r1", result.GetProperty("id").GetString());

        await using (MqttTestSubscriber late = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/alarms/state/level-high"))
        {
            ReceivedMessage retained = (await late.CollectUntilAsync(r => r.Count >= 1, TestTimeouts.Short))[0];
            Assert.True(retained.Retained);
            Assert.Equal("acknowledged", retained.Json.GetProperty("state").GetString());
        }

        await subscriber.PublishAsync(Prefix + "/commands/ack", await tokens.CliAsync("no-such-alarm", 1, "desk-1"));
        List<ReceivedMessage> error = await subscriber.CollectUntilAsync(r => r.Any(m => m.Topic == $"{Prefix}/commands/result"), TestTimeouts.Long);
        JsonElement errorResult = error.Single(m => m.Topic == $"{Prefix}/commands/result").Json;
        Assert.False(errorResult.GetProperty("ok").GetBoolean());
        Assert.Equal("unknown alarm 'no-such-alarm'", errorResult.GetProperty("error").GetString());
        Assert.False(second.HasExited, second.Log);
    }

    [Fact]
    public async Task WebhookReceiverDownTenSeconds_AcrossARestart_AlarmsDeliveredInOrderWithValidSignatures()
    {
        Environment.SetEnvironmentVariable("WEBHOOK_SECRET", AlarmConfigs.WebhookSecret);
        int port = FreePort.Next();
        string config = TestConfigs.Write(_directory, AlarmConfigs.Park(Path.Combine(_directory, "data"), _broker.Port, $"http://127.0.0.1:{port}/"));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/alarms");

        // Receiver down: ten alarms with one gateway, a clean restart, ten more with the next (counted on MQTT, not
        // guessed from time: a loaded machine starts the gateway slowly). The outbox lives on disk.
        var sent = new List<ReceivedMessage>();
        await using (GatewayProcess first = GatewayProcess.Start("run", "--config", config))
        {
            sent.AddRange(await WithLogAsync(first, subscriber.CollectUntilAsync(r => CountHigh(r) >= 10, TestTimeouts.Long)));
            await first.TerminateAsync();
        }

        await using GatewayProcess second = GatewayProcess.Start("run", "--config", config);
        sent.AddRange(await WithLogAsync(second, subscriber.CollectUntilAsync(r => CountHigh(r) >= 10, TestTimeouts.Long)));
        while (subscriber.Messages.TryRead(out ReceivedMessage? message))
        {
            sent.Add(message);
        }

        static int CountHigh(List<ReceivedMessage> r) => r.Count(m => m.Json.GetProperty("alarm").GetString() == "count-high");

        long[] expected = sent.Where(m => m.Json.GetProperty("alarm").GetString() == "count-high").Select(m => m.Json.GetProperty("seq").GetInt64()).ToArray();
        Assert.True(expected.Length >= 20, $"only {expected.Length} alarms during the outage");

        await using WebhookReceiver receiver = WebhookReceiver.Start(port);
        var posts = new List<ReceivedPost>();
        using (var cts = new CancellationTokenSource(TestTimeouts.Long))
        {
            while (!posts.Any(p => p.Path == "/critical") || !expected.All(seq => posts.Any(p => p.Path == "/hook" && Seq(p) == seq)))
            {
                posts.Add(await receiver.Posts.ReadAsync(cts.Token));
            }
        }

        foreach (ReceivedPost post in posts)
        {
            Assert.Equal("POST", post.Method);
            Assert.StartsWith("application/json", post.ContentType, StringComparison.Ordinal);
            string signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AlarmConfigs.WebhookSecret), post.Body));
            Assert.Equal(signature, post.Signature);
        }

        // In order, each exactly once per receiver path; critical only on the filtered webhook.
        long[] hookSeqs = posts.Where(p => p.Path == "/hook").Select(Seq).ToArray();
        Assert.Equal(hookSeqs.Order(), hookSeqs);
        Assert.Equal(hookSeqs.Distinct().Count(), hookSeqs.Length);
        Assert.All(posts.Where(p => p.Path == "/critical"), p => Assert.Equal("critical", JsonDocument.Parse(p.Body).RootElement.GetProperty("severity").GetString()));
        Assert.Equal("alarm-gw", JsonDocument.Parse(posts[0].Body).RootElement.GetProperty("gateway").GetString());
        Assert.False(second.HasExited, second.Log);
    }

    [Fact]
    public async Task WebhookAnswering503_SameAlarmRetriedWithBackoffUntil2xx()
    {
        Environment.SetEnvironmentVariable("WEBHOOK_SECRET", AlarmConfigs.WebhookSecret);
        int port = FreePort.Next();
        await using WebhookReceiver receiver = WebhookReceiver.Start(port, failFirst: 3, failPath: "/critical");
        string config = TestConfigs.Write(_directory, AlarmConfigs.Park(Path.Combine(_directory, "data"), _broker.Port, $"http://127.0.0.1:{port}/"));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        // The critical-only webhook gets exactly one alarm (level-high): 503, 503, 503, then 200 — the same body each time.
        var critical = new List<ReceivedPost>();
        using (var cts = new CancellationTokenSource(TestTimeouts.Long))
        {
            while (!critical.Any(p => p.Status == 200))
            {
                ReceivedPost post = await receiver.Posts.ReadAsync(cts.Token);
                if (post.Path == "/critical")
                {
                    critical.Add(post);
                }
            }
        }

        Assert.Equal([503, 503, 503, 200], critical.Select(p => p.Status));
        Assert.All(critical, p => Assert.Equal(critical[0].Body, p.Body));
        Assert.Equal("level-high", JsonDocument.Parse(critical[^1].Body).RootElement.GetProperty("alarm").GetString());
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task DeviceWithoutHardware_OfflineAlarmAfterConfiguredFailedPolls_NoBadQualityAlarmForIt()
    {
        int chip = Enumerable.Range(7, 100).First(n => !File.Exists($"/dev/gpiochip{n}"));
        string yaml = $$"""
            gateway:
              id: alarm-gw
              data_dir: {{Path.Combine(_directory, "data")}}
            devices:
              - id: panel
                driver: simulator
                poll_interval: 50ms
                tags:
                  - id: count
                    signal: counter
              - id: cabinet-io
                driver: gpio
                gpio_chip: {{chip}}
                poll_interval: 200ms
                tags:
                  - id: door_contact
                    pin: 17
            alarm_options:
              offline:
                offline_after: 2
                severity: critical
              bad_quality:
                delay: 0s
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{{_broker.Port}}
                topic_prefix: {{Prefix}}
            """;
        string config = TestConfigs.Write(_directory, yaml);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/alarms");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        List<ReceivedMessage> received = await WithLogAsync(gateway, subscriber.CollectUntilAsync(r => Transitions(r, "cabinet-io-offline").Any(), TestTimeouts.Long));

        JsonElement offline = Transitions(received, "cabinet-io-offline")[0];
        Assert.Equal("active", offline.GetProperty("state").GetString());
        Assert.Equal("critical", offline.GetProperty("severity").GetString());
        Assert.Equal(JsonValueKind.Null, offline.GetProperty("tag").ValueKind);
        Assert.Contains($"/dev/gpiochip{chip}", offline.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("Device cabinet-io is offline: ", offline.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Its tags were marked bad at the first failure, but a device that does not answer is offline, not bad data.
        Assert.Empty(Transitions(received, "cabinet-io-bad-quality"));
        Assert.Empty(Transitions(received, "panel-offline"));
    }

    [Fact]
    public async Task FlappingInput_ThroughTheGateway_TransitionsCappedByRateLimit_WhileInputKeepsToggling()
    {
        string yaml = $$"""
            gateway:
              id: alarm-gw
              data_dir: {{Path.Combine(_directory, "data")}}
            devices:
              - id: door
                driver: simulator
                poll_interval: 10ms
                tags:
                  - id: open
                    signal: toggle
                    period: 20ms
            alarms:
              - id: door-open
                tag: door/open
                equals: true
            alarm_options:
              max_transitions: 4
              rate_window: 1m
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{{_broker.Port}}
                topic_prefix: {{Prefix}}
            """;
        string config = TestConfigs.Write(_directory, yaml);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        // Run until the input has visibly toggled 200 more times after the alarm hit its limit.
        int? togglesAtLimit = null;
        List<ReceivedMessage> received = await WithLogAsync(gateway, subscriber.CollectUntilAsync(
            r =>
            {
                int toggles = r.Count(m => m.Topic == $"{Prefix}/telemetry/door") == 0 ? 0 : DoorValues(r).Zip(DoorValues(r).Skip(1)).Count(p => p.First != p.Second);
                if (togglesAtLimit is null && Transitions(r, "door-open").Count >= 4)
                {
                    togglesAtLimit = toggles;
                }

                return togglesAtLimit is { } atLimit && toggles >= atLimit + 200;
            },
            TestTimeouts.Long));

        Assert.Equal(4, Transitions(received, "door-open").Count);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    private static List<bool> DoorValues(List<ReceivedMessage> received) =>
        received.Where(m => m.Topic == $"{Prefix}/telemetry/door")
            .SelectMany(m => m.Json.GetProperty("readings").EnumerateArray())
            .Select(r => r.GetProperty("value").GetBoolean())
            .ToList();

    private static long Seq(ReceivedPost post) => JsonDocument.Parse(post.Body).RootElement.GetProperty("seq").GetInt64();

    private static DateTimeOffset Timestamp(JsonElement alarm) =>
        DateTimeOffset.Parse(alarm.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture);

    private static List<JsonElement> Transitions(List<ReceivedMessage> received, string alarm) =>
        received.Where(m => m.Topic == $"{Prefix}/alarms").Select(m => m.Json).Where(j => j.GetProperty("alarm").GetString() == alarm).ToList();

    private static List<double> SirenValues(List<ReceivedMessage> received) =>
        received.Where(m => m.Topic == $"{Prefix}/telemetry/siren-panel")
            .SelectMany(m => m.Json.GetProperty("readings").EnumerateArray())
            .Select(r => r.GetProperty("value").GetDouble())
            .ToList();

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
