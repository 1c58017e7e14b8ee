using System.Text.RegularExpressions;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>Hot reload against a real mosquitto: what changed restarts, nothing else does, and a bad file changes nothing.</summary>
public sealed partial class ConfigReloadTests : IAsyncLifetime
{
    private const string Prefix = "smartcity/lab/reload-gw";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-reload-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Reload_OnSighupWithAddedDeviceAndAlarm_StartsOnlyTheNewDevice_AndKeepsTheMqttSession()
    {
        string config = TestConfigs.Write(_directory, Config(devices: 1, alarm: false));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        var counter1 = new List<long>();
        var received = new List<ReceivedMessage>();

        received.AddRange(await subscriber.CollectUntilAsync(m => Collect(m, counter1) >= 5, TestTimeouts.Long));
        long beforeReload = counter1.Max();

        await gateway.WaitUntilReloadReadyAsync();
        TestConfigs.Write(_directory, Config(devices: 2, alarm: true));
        await gateway.SighupAsync("Configuration reloaded: 1 devices added, 0 removed, 0 restarted, 1 unchanged; 1 alarm rules");

        // The file watcher sees the write too: on a loaded machine its debounced reload may come first (then the SIGHUP
        // one finds nothing changed). Either way the SIGHUP itself is taken as a reload trigger.
        await gateway.WaitForLogAsync("(SIGHUP)", TestTimeouts.Long);

        // The new device publishes, its new alarm fires, and the unchanged device keeps counting where it was.
        received.AddRange(await subscriber.CollectUntilAsync(
            m => m.Any(x => x.Topic == $"{Prefix}/telemetry/counter-2")
                && m.Any(x => x.Topic == $"{Prefix}/alarms" && x.Json.GetProperty("alarm").GetString() == "counter-2-running")
                && Collect(m, counter1) > 0 && counter1.Max() > beforeReload + 5,
            TestTimeouts.Long));

        // Never restarted: a restarted counter would begin again at 0.
        for (int i = 1; i < counter1.Count; i++)
        {
            Assert.True(counter1[i] > counter1[i - 1], $"counter-1 went from {counter1[i - 1]} to {counter1[i]}: the device was restarted");
        }

        // The broker saw one connection of the gateway and never its 'offline' will or goodbye.
        Assert.Single(ConnectLines().Matches(_broker.ReadLog()));
        Assert.DoesNotContain(received, m => m.Topic == $"{Prefix}/status" && m.Payload == "offline");
        Assert.False(gateway.HasExited);
    }

    [Fact]
    public async Task Reload_OnFileChangeWithInvalidFile_KeepsRunningTheOldConfiguration_AndLogsEveryProblemWithItsLocation()
    {
        string config = TestConfigs.Write(_directory, Config(devices: 1, alarm: false));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        var counter1 = new List<long>();
        await subscriber.CollectUntilAsync(m => Collect(m, counter1) >= 3, TestTimeouts.Long);
        await gateway.WaitUntilReloadReadyAsync(); // a write before the watcher exists would go unseen

        // Three problems: a bad duration, a typo'd key and an alarm on a tag that does not exist.
        string broken = Config(devices: 2, alarm: true)
            .Replace("poll_interval: 50ms", "poll_interval: fast", StringComparison.Ordinal)
            .Replace("signal: counter\n        min: 0\n        max: 1000000000\n  - id: counter-2", "signal: counter\n        min: 0\n        max: 1000000000\n  - id: counter-2\n    pol_interval: 1s", StringComparison.Ordinal)
            .Replace("tag: counter-2/count", "tag: counter-2/cuont", StringComparison.Ordinal);
        File.WriteAllText(config, broken);

        await gateway.WaitForLogAsync("Configuration reload rejected: 4 problems", TestTimeouts.Long);
        string log = gateway.Log;
        Assert.Contains("(file changed)", log, StringComparison.Ordinal);
        Assert.Matches(@"gateway\.yaml:\d+:\d+ devices\[0\]\.poll_interval", log);
        Assert.Matches(@"gateway\.yaml:\d+:\d+ devices\[1\]\.pol_interval", log);
        Assert.Matches(@"gateway\.yaml:\d+:\d+ alarms\[0\]\.tag: device 'counter-2' has no tag 'cuont'", log);

        // Still running the old configuration: counter-1 keeps publishing, counter-2 never appears.
        long atRejection = counter1.Max();
        List<ReceivedMessage> after = await subscriber.CollectUntilAsync(m => Collect(m, counter1) > 0 && counter1.Max() > atRejection + 5, TestTimeouts.Long);
        Assert.DoesNotContain(after, m => m.Topic.EndsWith("/counter-2", StringComparison.Ordinal));
        Assert.False(gateway.HasExited);
    }

    private string Config(int devices, bool alarm) =>
        $"""
        gateway:
          id: reload-gw
          site: lab
          data_dir: {_directory}/data
        devices:
        {string.Concat(Enumerable.Range(1, devices).Select(i => $"""
          - id: counter-{i}
            driver: simulator
            poll_interval: 50ms
            tags:
              - id: count
                signal: counter
                min: 0
                max: 1000000000

        """))}
        {(alarm ? """
        alarms:
          - id: counter-2-running
            tag: counter-2/count
            above: -1
            severity: info
            message: counter 2 is running

        """ : string.Empty)}
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{_broker.Port}
            client_id: reload-gw
            topic_prefix: {Prefix}
        http:
          enabled: false
        """;

    /// <summary>Appends counter-1's values from messages not seen yet; returns how many are known.</summary>
    private static int Collect(List<ReceivedMessage> messages, List<long> counter1)
    {
        // CollectUntilAsync hands the growing list each time: only the newest message is new.
        if (messages.Count > 0 && messages[^1].Topic == $"{Prefix}/telemetry/counter-1")
        {
            foreach (System.Text.Json.JsonElement reading in messages[^1].Json.GetProperty("readings").EnumerateArray())
            {
                counter1.Add((long)reading.GetProperty("value").GetDouble());
            }
        }

        return counter1.Count;
    }

    [GeneratedRegex(@"New client connected from \S+ as reload-gw ")]
    private static partial Regex ConnectLines();
}
