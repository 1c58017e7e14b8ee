using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// Hot reload of <c>upstream.mqtt</c> and <c>webhooks:</c> against real mosquitto brokers and real HTTP receivers:
/// the gateway reconnects with the new settings without losing or reordering a buffered record, and alarm
/// transitions follow the new webhook list.
/// </summary>
public sealed partial class ReloadUpstreamTests : IDisposable
{
    private const string Prefix = "smartcity/lab/reload-up";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-reloadup-").FullName;
    private readonly HttpClient _http = new() { Timeout = TestTimeouts.Short };

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // ${file:…}: the technician rotates the secret file and reloads; gateway.yaml is not touched
    public async Task Reload_MqttPasswordFixed_ConnectsAndDeliversEveryBufferedSeqInOrder(bool secretInFile)
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartWithPasswordAsync("gw", "right-password-1");
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(broker.AnonymousPort, Prefix + "/#");
        string secretFile = Path.Combine(_directory, "mqtt-password");
        await File.WriteAllTextAsync(secretFile, "wrong-password\n");
        string config = TestConfigs.Write(_directory, CounterConfig(
            $"mqtt://127.0.0.1:{broker.Port}", secretInFile ? "password: ${file:mqtt-password}" : "password: wrong-password", httpEndpoint: true));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int httpPort = await gateway.WaitForHttpPortAsync();

        // The broker refuses the password: the gateway says why, reports the outage and buffers on disk. Counted from the
        // process start, so the whole start-up is in it (over 5 s on a loaded machine, where 15 s was seen too short).
        await gateway.WaitForLogAsync("Buffering on disk", TestTimeouts.Long);
        Assert.Matches(@"unavailable: .*refused the connection.*(NotAuthorized|BadUserNameOrPassword)", gateway.Log);
        string metrics = await WaitForMetricsAsync(httpPort, m => BufferedTelemetry(m) >= 20);
        Assert.Contains($"smartcity_edge_upstream_connected{{publisher=\"mqtt 127.0.0.1:{broker.Port}\"}} 0", metrics, StringComparison.Ordinal);
        Assert.False(subscriber.Messages.TryRead(out ReceivedMessage? early), $"nothing can arrive with the wrong password, got {early}");

        if (secretInFile)
        {
            await File.WriteAllTextAsync(secretFile, "right-password-1\n");
        }
        else
        {
            TestConfigs.Write(_directory, CounterConfig($"mqtt://127.0.0.1:{broker.Port}", "password: right-password-1", httpEndpoint: true));
        }

        await gateway.SighupAsync();
        Assert.Contains("upstream.mqtt changed; reconnecting with mqtt://127.0.0.1", gateway.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("right-password-1", gateway.Log, StringComparison.Ordinal);

        // Everything buffered during the outage arrives, from seq 1, gapless and in order, then live data follows.
        long bufferedAtFix = BufferedTelemetry(await MetricsAsync(httpPort));
        List<ReceivedMessage> received = await subscriber.CollectUntilAsync(
            r => TelemetryLog.Readings(r).Any(x => x.Seq > bufferedAtFix + 20),
            TestTimeouts.Long);
        long[] seqs = TelemetryLog.Readings(received).Select(x => x.Seq).Distinct().ToArray();
        Assert.Equal(1, seqs.Min());
        Assert.Empty(TelemetryLog.MissingSeqs(received));
        TelemetryLog.AssertInOrderPerDevice(received);
        Assert.Contains(received, m => m.Topic == $"{Prefix}/status" && m.Payload == "online");
        Assert.Contains($"smartcity_edge_upstream_connected{{publisher=\"mqtt 127.0.0.1:{broker.Port}\"}} 1", await MetricsAsync(httpPort), StringComparison.Ordinal);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task Reload_MqttServerMovedToSecondBroker_MessagesContinueThere_NoSeqLostAcrossBoth()
    {
        await using MosquittoBroker first = await MosquittoBroker.StartAsync();
        await using MosquittoBroker second = await MosquittoBroker.StartAsync();
        await using MqttTestSubscriber onFirst = await MqttTestSubscriber.ConnectAsync(first.Port, Prefix + "/#");
        await using MqttTestSubscriber onSecond = await MqttTestSubscriber.ConnectAsync(second.Port, Prefix + "/#");
        string config = TestConfigs.Write(_directory, CounterConfig($"mqtt://127.0.0.1:{first.Port}", "password: unused", httpEndpoint: false));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        var received = new List<ReceivedMessage>();
        received.AddRange(await onFirst.CollectUntilAsync(r => TelemetryLog.Readings(r).Count() >= 20, TestTimeouts.Long));

        TestConfigs.Write(_directory, CounterConfig($"mqtt://127.0.0.1:{second.Port}", "password: unused", httpEndpoint: false));
        await gateway.SighupAsync();

        // The first broker is told the gateway left (retained offline, after everything it acknowledged) ...
        received.AddRange(await onFirst.CollectUntilAsync(r => r.Any(m => m.Topic == $"{Prefix}/status" && m.Payload == "offline"), TestTimeouts.Short));
        long lastOnFirst = TelemetryLog.Readings(received).Max(x => x.Seq);

        // ... and the second carries on, online, with the records from where the first stopped (or just before).
        List<ReceivedMessage> there = await onSecond.CollectUntilAsync(
            r => r.Any(m => m.Topic == $"{Prefix}/status" && m.Payload == "online") && TelemetryLog.Readings(r).Any(x => x.Seq > lastOnFirst + 20),
            TestTimeouts.Long);
        Assert.Empty(TelemetryLog.MissingSeqs(received.Concat(there)));
        TelemetryLog.AssertInOrderPerDevice(there);
        TelemetryLog.AssertInOrderPerDevice(received);
        Assert.True(TelemetryLog.Readings(there).Min(x => x.Seq) <= lastOnFirst + 1, "a gap between the brokers");
        Assert.False(onFirst.Messages.TryRead(out ReceivedMessage? late) && late.Topic.Contains("/telemetry/", StringComparison.Ordinal), $"the first broker still got telemetry: {late}");
        Assert.False(gateway.HasExited, gateway.Log);
    }

    [Fact]
    public async Task Reload_WebhookUrlAndSecretChanged_LaterTransitionsGoToTheNewReceiver_RemovedOneGetsNothingMore()
    {
        const string OldSecret = "old-secret-0123456789";
        const string NewSecret = "new-secret-9876543210";
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        int oldPort = FreePort.Next();
        int newPort = FreePort.Next();
        await using WebhookReceiver oldReceiver = WebhookReceiver.Start(oldPort);
        await using WebhookReceiver newReceiver = WebhookReceiver.Start(newPort);

        // Before: the old receiver, and /keep on the new one; after: /keep stays (secret rotated), /desk is added.
        string config = TestConfigs.Write(_directory, AlarmConfig(broker.Port, $"""
            webhooks:
              - url: http://127.0.0.1:{oldPort}/desk
                secret: {OldSecret}
              - url: http://127.0.0.1:{newPort}/keep
                secret: {OldSecret}
            """));
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        var oldPosts = new List<ReceivedPost>();
        var newPosts = new List<ReceivedPost>();
        await ReadPostsAsync(oldReceiver, oldPosts, p => p.Count >= 3);

        TestConfigs.Write(_directory, AlarmConfig(broker.Port, $"""
            webhooks:
              - url: http://127.0.0.1:{newPort}/keep
                secret: {NewSecret}
              - url: http://127.0.0.1:{newPort}/desk
                secret: {NewSecret}
            """));
        await gateway.SighupAsync();
        Assert.Matches(@"Webhook http://127\.0\.0\.1:\d+/desk removed by a reload: dropped \d+ queued deliveries", gateway.Log);
        Assert.Contains("/desk added by a reload", gateway.Log, StringComparison.Ordinal);
        Assert.Contains("/keep changed by a reload", gateway.Log, StringComparison.Ordinal);
        Assert.DoesNotContain(NewSecret, gateway.Log, StringComparison.Ordinal);

        await ReadPostsAsync(newReceiver, newPosts, p => p.Count(x => x.Path == "/desk") >= 3);
        while (oldReceiver.Posts.TryRead(out ReceivedPost? post))
        {
            oldPosts.Add(post); // requests that were on their way when the reload stopped the old webhook
        }

        int oldCountAfterReload = oldPosts.Count;
        await ReadPostsAsync(newReceiver, newPosts, p => p.Count(x => x.Path == "/desk") >= 8);

        // The removed webhook got nothing after the reload; the new one only transitions committed after it.
        Assert.False(oldReceiver.Posts.TryRead(out ReceivedPost? stray), $"the removed webhook still got {stray?.Path}");
        Assert.Equal(oldCountAfterReload, oldPosts.Count);
        long[] desk = newPosts.Where(p => p.Path == "/desk").Select(Seq).ToArray();
        Assert.True(oldPosts.Max(Seq) < desk.Min(), $"the new webhook got the backlog: old up to {oldPosts.Max(Seq)}, new from {desk.Min()}");
        Assert.All(oldPosts, p => Assert.Equal(Sign(OldSecret, p.Body), p.Signature));
        Assert.All(newPosts.Where(p => p.Path == "/desk"), p => Assert.Equal(Sign(NewSecret, p.Body), p.Signature));

        // The kept webhook kept its queue and order, switching from the old secret to the new one exactly once.
        ReceivedPost[] keep = newPosts.Where(p => p.Path == "/keep").ToArray();
        long[] keepSeqs = keep.Select(Seq).ToArray();
        Assert.Equal(keepSeqs.Order(), keepSeqs);
        Assert.Equal(keepSeqs.Distinct().Count(), keepSeqs.Length);
        Assert.All(desk.Where(seq => seq <= keepSeqs.Max()), seq => Assert.Contains(seq, keepSeqs));
        bool[] signedNew = keep.Select(p => p.Signature == Sign(NewSecret, p.Body)).ToArray();
        Assert.All(keep, p => Assert.True(p.Signature == Sign(OldSecret, p.Body) || p.Signature == Sign(NewSecret, p.Body), "signature valid with neither secret"));
        Assert.Equal(signedNew.Order(), signedNew); // false ... false, true ... true
        Assert.True(signedNew[^1]);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    private static long Seq(ReceivedPost post) => JsonDocument.Parse(post.Body).RootElement.GetProperty("seq").GetInt64();

    private static string Sign(string secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static async Task ReadPostsAsync(WebhookReceiver receiver, List<ReceivedPost> posts, Func<List<ReceivedPost>, bool> done)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Long);
        while (!done(posts))
        {
            posts.Add(await receiver.Posts.ReadAsync(cts.Token));
        }
    }

    private Task<string> MetricsAsync(int port) => GatewayMetrics.ScrapeAsync(_http, port);

    private Task<string> WaitForMetricsAsync(int port, Func<string, bool> done) => GatewayMetrics.WaitForAsync(_http, port, done);

    private static long BufferedTelemetry(string metrics) => GatewayMetrics.BufferedTelemetry(metrics);

    private string CounterConfig(string server, string passwordLine, bool httpEndpoint) =>
        $"""
        gateway:
          id: reload-up
          site: lab
          data_dir: {_directory}/data
        devices:
          - id: counter
            driver: simulator
            poll_interval: 50ms
            tags:
              - id: count
                signal: counter
                min: 0
                max: 1000000000
        upstream:
          mqtt:
            server: {server}
            client_id: reload-up
            username: gw
            {passwordLine}
            topic_prefix: {Prefix}
        http:
        {(httpEndpoint ? "  listen: 127.0.0.1:0" : "  enabled: false")}
        """;

    private string AlarmConfig(int brokerPort, string webhooks) =>
        AlarmConfigs.CounterAlarmPark("reload-up", $"{_directory}/data", webhooks, $"""
              mqtt:
                server: mqtt://127.0.0.1:{brokerPort}
                client_id: reload-up
                topic_prefix: {Prefix}
            """);
}
