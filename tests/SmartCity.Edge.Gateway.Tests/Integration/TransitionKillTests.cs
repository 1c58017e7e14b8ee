using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A transition's buffer record, alarm state and webhook deliveries commit in one transaction: the real binary is
/// SIGKILLed at a named point between the steps (test-only <c>SMARTCITY_EDGE_TEST_KILL_AT</c>) and restarted. No
/// transition is repeated (a latched alarm is <c>active</c> under exactly one seq; the flapping one alternates
/// active/cleared by seq, each clear naming the raise before it), none is lost (every transition on MQTT reaches the
/// webhook), and a webhook delivery that was in flight is sent again with the same body.
/// </summary>
public sealed class TransitionKillTests : IAsyncLifetime
{
    private const string Prefix = AlarmConfigs.Prefix;
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-txkill-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("transition-before-commit")]
    [InlineData("transition-after-commit")]
    [InlineData("webhook-after-send")]
    public async Task KilledAtPoint_Restarted_EachTransitionOnceUnderOneSeq_AndEveryOneReachesTheWebhook(string point)
    {
        int port = FreePort.Next();
        await using WebhookReceiver receiver = WebhookReceiver.Start(port);
        string config = TestConfigs.Write(_directory, AlarmConfigs.Park(Path.Combine(_directory, "data"), _broker.Port, $"http://127.0.0.1:{port}/"));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/alarms");
        var secret = new Dictionary<string, string> { ["WEBHOOK_SECRET"] = AlarmConfigs.WebhookSecret };

        await using (GatewayProcess killed = GatewayProcess.Start(new Dictionary<string, string>(secret) { ["SMARTCITY_EDGE_TEST_KILL_AT"] = point }, "run", "--config", config))
        {
            await killed.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
            Assert.Equal(128 + 9, killed.ExitCode);
            Assert.Contains($"kill point {point} reached", killed.Log);
        }

        var mqtt = new List<JsonElement>();
        await using GatewayProcess restarted = GatewayProcess.Start(secret, "run", "--config", config);
        List<ReceivedMessage> received = await restarted.WithLogAsync(subscriber.CollectUntilAsync(
            r => Alarm(r, "count-high").Select(Seq).Distinct().Count() >= 6 && Alarm(r, "level-high").Any(),
            TestTimeouts.Long));
        mqtt.AddRange(received.Select(m => m.Json));

        // Every transition published (by seq) reaches /hook, and the critical one /critical.
        long[] published = mqtt.Select(Seq).Distinct().Order().ToArray();
        var posts = new List<ReceivedPost>();
        using (var cts = new CancellationTokenSource(TestTimeouts.Long))
        {
            while (!published.All(seq => posts.Any(p => p.Path == "/hook" && Seq(p) == seq)) || !posts.Any(p => p.Path == "/critical"))
            {
                posts.Add(await restarted.WithLogAsync(receiver.Posts.ReadAsync(cts.Token).AsTask()));
            }
        }

        await restarted.TerminateAsync();
        while (receiver.Posts.TryRead(out ReceivedPost? late))
        {
            posts.Add(late);
        }

        // The latched alarm went active once: one seq, however often that seq was redelivered.
        long[] levelSeqs = Alarm(mqtt, "level-high").Where(t => State(t) == "active").Select(Seq).Distinct().ToArray();
        Assert.True(levelSeqs.Length == 1, $"level-high active under seqs {string.Join(", ", levelSeqs)}\n{restarted.Log}");
        Assert.DoesNotContain(Alarm(mqtt, "level-high"), t => State(t) != "active");

        // The flapping alarm: by seq, active and cleared alternate, each clear naming the active before it. A repeated
        // transition would be two actives (or clears) in a row under different seqs.
        JsonElement[] flapping = Alarm(mqtt, "count-high").DistinctBy(Seq).OrderBy(Seq).ToArray();
        for (int i = 1; i < flapping.Length; i++)
        {
            Assert.NotEqual(State(flapping[i - 1]), State(flapping[i]));
            if (State(flapping[i]) == "cleared")
            {
                Assert.Equal(Seq(flapping[i - 1]), flapping[i].GetProperty("occurrence").GetInt64());
            }
        }

        // A seq is one transition: every copy of it, on MQTT and on either webhook, has the same content.
        foreach (IGrouping<long, JsonElement> copies in mqtt.GroupBy(Seq))
        {
            Assert.Single(copies.Select(c => c.GetProperty("state").GetString() + "/" + c.GetProperty("alarm").GetString()).Distinct());
        }

        foreach (IGrouping<(string, long), ReceivedPost> copies in posts.GroupBy(p => (p.Path, Seq(p))))
        {
            Assert.Single(copies.Select(p => Encoding.UTF8.GetString(p.Body)).Distinct());
            if (copies.Key.Item2 <= published[^1])
            {
                // Alarms reach MQTT in seq order: a webhook seq up to the last collected one was published too (later
                // ones may reach the receiver after the collection ended).
                Assert.Contains(copies.Key.Item2, published);
            }
        }

        Assert.All(posts, p => Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AlarmConfigs.WebhookSecret), p.Body)), p.Signature));
        Assert.Equal(levelSeqs[0], Seq(Assert.Single(posts.Where(p => p.Path == "/critical").DistinctBy(Seq))));

        if (point == "webhook-after-send")
        {
            // The delivery the receiver had answered when the gateway died was still queued: sent again, same body.
            Assert.Contains(posts.GroupBy(p => (p.Path, Seq(p))), g => g.Count() >= 2);
        }
    }

    private static IEnumerable<JsonElement> Alarm(IEnumerable<ReceivedMessage> messages, string alarm) => Alarm(messages.Select(m => m.Json), alarm);

    private static IEnumerable<JsonElement> Alarm(IEnumerable<JsonElement> transitions, string alarm) =>
        transitions.Where(t => t.GetProperty("alarm").GetString() == alarm);

    private static string State(JsonElement transition) => transition.GetProperty("state").GetString()!;

    private static long Seq(JsonElement transition) => transition.GetProperty("seq").GetInt64();

    private static long Seq(ReceivedPost post) => JsonDocument.Parse(post.Body).RootElement.GetProperty("seq").GetInt64();
}
