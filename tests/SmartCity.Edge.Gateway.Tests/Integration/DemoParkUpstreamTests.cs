using System.Globalization;
using System.Text.Json;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>The demo park against a real mosquitto: topics and payloads are the integrators' contract.</summary>
public sealed class DemoParkUpstreamTests : BrokerTest
{
    private const string Prefix = "smartcity/demo/demo-park-01";

    [Fact]
    public async Task DemoPark_WithMqtt_PublishesDocumentedTopicsAndPayloads()
    {
        // The shipped demo, pointed at the test broker, plus one alarm that is active from the first poll.
        string demo = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "config", "demo.yaml"));
        string yaml = demo
            .Replace("data_dir: ./data/demo", $"data_dir: {Directory}/data", StringComparison.Ordinal)
            .Replace("upstream:\n  console: true", $"upstream:\n  mqtt:\n    server: mqtt://127.0.0.1:{Broker.Port}\n    topic_prefix: {Prefix}", StringComparison.Ordinal)
            .Replace("alarms:\n", "alarms:\n  - id: panel-fault-clear\n    tag: fire-panel-1/fault\n    equals: 0\n    severity: info\n    message: Fire panel reports no fault\n", StringComparison.Ordinal);
        Assert.Contains("mqtt://127.0.0.1", yaml, StringComparison.Ordinal);
        string config = TestConfigs.Write(Directory, yaml);

        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        string[] devices = ["fire-panel-1", "gas-detector-2", "door-contacts", "ups-1"];
        List<ReceivedMessage> messages = await subscriber.CollectUntilAsync(
            received => devices.All(d => received.Any(m => m.Topic == $"{Prefix}/telemetry/{d}"))
                && received.Any(IsFaultAlarm)
                && received.Any(m => m.Topic == $"{Prefix}/status"),
            TestTimeouts.Long);

        ReceivedMessage status = messages.First(m => m.Topic == $"{Prefix}/status");
        Assert.Equal("online", status.Payload);

        foreach (ReceivedMessage message in messages.Where(m => m.Topic.Contains("/telemetry/", StringComparison.Ordinal)))
        {
            JsonElement json = message.Json;
            Assert.Equal("demo-park-01", json.GetProperty("gateway").GetString());
            Assert.Equal(message.Topic[(message.Topic.LastIndexOf('/') + 1)..], json.GetProperty("device").GetString());
            long previousSeq = 0;
            foreach (JsonElement reading in json.GetProperty("readings").EnumerateArray())
            {
                Assert.False(string.IsNullOrEmpty(reading.GetProperty("tag").GetString()));
                Assert.Contains(reading.GetProperty("value").ValueKind, new[] { JsonValueKind.Number, JsonValueKind.True, JsonValueKind.False });
                Assert.Equal("good", reading.GetProperty("quality").GetString());
                AssertTimestamp(reading.GetProperty("ts").GetString()!);
                long seq = reading.GetProperty("seq").GetInt64();
                Assert.True(seq > previousSeq, "readings in one message are in seq order");
                previousSeq = seq;
            }
        }

        // The demo's own alarms may trip too, depending on the minute: pick ours.
        JsonElement alarm = messages.First(IsFaultAlarm).Json;
        Assert.Equal("panel-fault-clear", alarm.GetProperty("alarm").GetString());
        Assert.Equal("active", alarm.GetProperty("state").GetString());
        Assert.Equal("info", alarm.GetProperty("severity").GetString());
        Assert.Equal("fire-panel-1", alarm.GetProperty("device").GetString());
        Assert.Equal("fault", alarm.GetProperty("tag").GetString());
        Assert.Equal(0, alarm.GetProperty("value").GetDouble());
        Assert.StartsWith("Fire panel reports no fault", alarm.GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertTimestamp(alarm.GetProperty("ts").GetString()!);
        Assert.True(alarm.GetProperty("seq").GetInt64() > 0);
        Assert.False(gateway.HasExited, gateway.Log);
    }

    private static bool IsFaultAlarm(ReceivedMessage message) =>
        message.Topic == $"{Prefix}/alarms" && message.Json.GetProperty("alarm").GetString() == "panel-fault-clear";

    private static void AssertTimestamp(string ts)
    {
        // 2026-11-25T12:00:00.123Z: UTC, milliseconds, as documented.
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", ts);
        DateTimeOffset parsed = DateTimeOffset.Parse(ts, CultureInfo.InvariantCulture);
        Assert.InRange(parsed, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }
}
