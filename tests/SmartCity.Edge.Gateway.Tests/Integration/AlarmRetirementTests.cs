using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Upstream.Json;
using SmartCity.Edge.Gateway.Configuration;

using SmartCity.Edge.Gateway.Tests.Alarms;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Alarms that leave the configuration, end to end with the real binary and a real mosquitto: the retirement goes out
/// on <c>{prefix}/alarms</c>, the retained state topic is deleted (an empty retained publish, seen by a live
/// subscriber, and absent for a new one while the kept alarm's state is still there), and the row leaves alarms.db.
/// </summary>
public sealed class AlarmRetirementTests : IAsyncLifetime
{
    private const string Prefix = "smartcity/lab/retire-gw";
    private const string AlarmsTopic = Prefix + "/alarms";
    private const string GoneState = Prefix + "/alarms/state/gone";
    private const string KeptState = Prefix + "/alarms/state/kept";
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-retire-").FullName;
    private MosquittoBroker _broker = null!;

    private string DataDirectory => Path.Combine(_directory, "data");

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Reload_ActiveRuleRemoved_RetirementThenEmptyRetainedState_RowRemoved()
    {
        string config = TestConfigs.Write(_directory, Config(withGone: true));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        await subscriber.CollectUntilAsync(m => m.Any(x => IsActiveState(x, GoneState)) && m.Any(x => IsActiveState(x, KeptState)), TestTimeouts.Long);

        TestConfigs.Write(_directory, Config(withGone: false));
        await gateway.SighupAsync();
        List<ReceivedMessage> after = await subscriber.CollectUntilAsync(m => m.Any(x => x.Topic == GoneState && x.Payload.Length == 0), TestTimeouts.Short);

        int retirementAt = after.FindIndex(m => m.Topic == AlarmsTopic && m.Json.GetProperty("alarm").GetString() == "gone");
        Assert.True(retirementAt >= 0, "no retirement of 'gone' on " + AlarmsTopic);
        Assert.True(retirementAt < after.FindIndex(m => m.Topic == GoneState), "the retained state was deleted before the retirement went out");
        JsonElement retirement = after[retirementAt].Json;
        Assert.Equal(
            ("cleared", "active", "removed from configuration", true, "counter-1", "count"),
            (retirement.GetProperty("state").GetString(), retirement.GetProperty("previous").GetString(), retirement.GetProperty("reason").GetString(),
             retirement.GetProperty("retired").GetBoolean(), retirement.GetProperty("device").GetString(), retirement.GetProperty("tag").GetString()));
        Assert.Single(after, m => m.Topic == AlarmsTopic && m.Json.GetProperty("alarm").GetString() == "gone");
        Assert.DoesNotContain(after, m => m.Topic.StartsWith(AlarmsTopic, StringComparison.Ordinal) && m.Payload.Contains("\"kept\"", StringComparison.Ordinal));

        await AssertRetainedStatesAsync(expected: "kept", absent: "gone");
        Assert.Contains("Alarm gone retired (was active)", gateway.Log, StringComparison.Ordinal);

        await gateway.TerminateAsync();
        Assert.Equal(["kept"], StoredAlarmIds());
    }

    [Fact]
    public async Task Restart_ActiveRuleRemovedWhileStopped_RetiredOnceAtStart_NotAgainOnTheNextStart()
    {
        string config = TestConfigs.Write(_directory, Config(withGone: true));
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using (GatewayProcess first = GatewayProcess.Start("run", "--config", config))
        {
            await subscriber.CollectUntilAsync(m => m.Any(x => IsActiveState(x, GoneState)) && m.Any(x => IsActiveState(x, KeptState)), TestTimeouts.Long);
            await first.TerminateAsync();
        }

        TestConfigs.Write(_directory, Config(withGone: false));
        await using (GatewayProcess second = GatewayProcess.Start("run", "--config", config))
        {
            await second.WaitForLogAsync("Restored 2 alarm states", TestTimeouts.Short);

            // Up to the retained state's deletion, then three telemetry batches more: alarms go out before telemetry.
            int telemetryAfter = 0;
            bool deleted = false;
            List<ReceivedMessage> received = await subscriber.CollectUntilAsync(
                m =>
                {
                    deleted |= m.Count > 0 && m[^1].Topic == GoneState && m[^1].Payload.Length == 0;
                    telemetryAfter += deleted && m.Count > 0 && m[^1].Topic.StartsWith(Prefix + "/telemetry/", StringComparison.Ordinal) ? 1 : 0;
                    return telemetryAfter >= 3;
                },
                TestTimeouts.Long);

            ReceivedMessage retirement = Assert.Single(received, m => m.Topic == AlarmsTopic && m.Json.GetProperty("alarm").GetString() == "gone");
            Assert.Equal(("cleared", "active", true), (retirement.Json.GetProperty("state").GetString(), retirement.Json.GetProperty("previous").GetString(), retirement.Json.GetProperty("retired").GetBoolean()));
            Assert.DoesNotContain(received, m => m.Topic == AlarmsTopic && m.Json.GetProperty("alarm").GetString() == "kept"); // restored active: no duplicate
            await AssertRetainedStatesAsync(expected: "kept", absent: "gone");
            await second.TerminateAsync();
        }

        Assert.Equal(["kept"], StoredAlarmIds());
        await using GatewayProcess third = GatewayProcess.Start("run", "--config", config);
        await third.WaitForLogAsync("Restored 1 alarm states", TestTimeouts.Short); // nothing left to retire

        // From the third run's "online" on (earlier ones are the second run's, and the marker of the retained check), three
        // telemetry batches: a retirement would have gone out before them.
        List<ReceivedMessage> later = await subscriber.CollectUntilAsync(
            m => m.FindIndex(x => x.Topic == Prefix + "/status" && x.Payload == "online") is int online and >= 0
                && m.Skip(online).Count(x => x.Topic.StartsWith(Prefix + "/telemetry/", StringComparison.Ordinal)) >= 3,
            TestTimeouts.Long);
        int thirdOnline = later.FindIndex(x => x.Topic == Prefix + "/status" && x.Payload == "online");
        Assert.DoesNotContain(later.Skip(thirdOnline), m => m.Topic.StartsWith(AlarmsTopic, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_DeviceKeptAlarmsInAlarmsDb_StillReportedOneListedOnApiStatus_RemovedDevicesOneRetired()
    {
        // Left by an earlier run: a condition of 'boiler' (still configured with events:, its server not up yet) and one
        // of 'old-boiler', which is gone from the configuration.
        using (var store = new OpenAlarmStore(DataDirectory))
        {
            DateTimeOffset since = new(2026, 11, 25, 11, 0, 0, TimeSpan.Zero);
            store.Commit([DeviceAlarmRow("boiler", since), DeviceAlarmRow("old-boiler", since)], [], since);
        }

        string config = TestConfigs.Write(_directory, OpcUaConfig());
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        int httpPort = await gateway.WaitForHttpPortAsync();

        using var http = new HttpClient { Timeout = TestTimeouts.Short };
        JsonElement status = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{httpPort}/api/status")).RootElement;
        JsonElement listed = Assert.Single(status.GetProperty("alarms").EnumerateArray(), a => a.GetProperty("id").GetString()!.EndsWith("-alarms-temperaturealarm", StringComparison.Ordinal));
        Assert.Equal(
            ("boiler-alarms-temperaturealarm", "active", "high", "boiler", "Temperature high", "2026-11-25T11:00:00.000Z"),
            (listed.GetProperty("id").GetString(), listed.GetProperty("state").GetString(), listed.GetProperty("severity").GetString(),
             listed.GetProperty("device").GetString(), listed.GetProperty("message").GetString(), listed.GetProperty("since").GetString()));

        List<ReceivedMessage> received = await subscriber.CollectUntilAsync(m => m.Any(x => x.Topic == Prefix + "/alarms/state/old-boiler-alarms-temperaturealarm" && x.Payload.Length == 0), TestTimeouts.Long);
        JsonElement retirement = Assert.Single(received, m => m.Topic == AlarmsTopic && m.Payload.Contains("\"old-boiler-", StringComparison.Ordinal)).Json;
        Assert.Equal(
            ("old-boiler-alarms-temperaturealarm", "cleared", "active", true, "ns=1;s=Alarms.TemperatureAlarm"),
            (retirement.GetProperty("alarm").GetString(), retirement.GetProperty("state").GetString(), retirement.GetProperty("previous").GetString(),
             retirement.GetProperty("retired").GetBoolean(), retirement.GetProperty("condition").GetProperty("id").GetString()));
        await gateway.TerminateAsync();
        Assert.Equal(["boiler-alarms-temperaturealarm"], StoredAlarmIds());
    }

    private static bool IsActiveState(ReceivedMessage message, string topic) =>
        message.Topic == topic && message.Payload.Length > 0 && message.Json.GetProperty("state").GetString() == "active";

    /// <summary>A new subscriber to the state topics gets <paramref name="expected"/>'s retained state (the positive control) and none for <paramref name="absent"/>.</summary>
    private async Task AssertRetainedStatesAsync(string expected, string absent)
    {
        await using MqttTestSubscriber late = await MqttTestSubscriber.ConnectAsync(_broker.Port, Prefix + "/alarms/state/#");

        // The broker sends retained messages while it handles SUBSCRIBE: a message published after SUBACK comes after them.
        string marker = Prefix + "/alarms/state/zz-marker-" + Guid.NewGuid().ToString("N")[..8];
        await late.PublishAsync(marker, "marker");
        List<ReceivedMessage> retained = await late.CollectUntilAsync(m => m.Any(x => x.Topic == marker), TestTimeouts.Short);
        Assert.Contains(retained, m => m.Retained && m.Topic == Prefix + "/alarms/state/" + expected && m.Payload.Length > 0);
        Assert.DoesNotContain(retained, m => m.Topic == Prefix + "/alarms/state/" + absent);
    }

    private string[] StoredAlarmIds()
    {
        using var store = new OpenAlarmStore(DataDirectory);
        return store.Store.LoadStates().Select(s => s.AlarmId).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The row the alarm service writes for an active condition of <paramref name="device"/>.</summary>
    private static (AlarmEvent, string) DeviceAlarmRow(string device, DateTimeOffset since)
    {
        string id = device + "-alarms-temperaturealarm";
        var alarm = new AlarmDefinition(id, AlarmKind.Device, device, null, null, AlarmSeverity.High, "Temperature high", TimeSpan.Zero, TimeSpan.Zero, Latch: true, []);
        var active = new AlarmEvent(alarm, AlarmLifecycle.Active, AlarmLifecycle.Cleared, TagValue.None, null, "Temperature high", null, since, null, 0,
            new DeviceAlarmOrigin("ns=1;s=Alarms.TemperatureAlarm", "1:Temperature", 700));
        return (active, AlarmJson.ToJson(AlarmRecord.From(active), 3, "retire-gw"));
    }

    private string Upstream => $"""
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{_broker.Port}
            client_id: retire-gw
            topic_prefix: {Prefix}
        """;

    private string Config(bool withGone) => $"""
        gateway:
          id: retire-gw
          site: lab
          data_dir: {DataDirectory}
        devices:
          - id: counter-1
            driver: simulator
            poll_interval: 100ms
            tags:
              - id: count
                signal: counter
                min: 0
                max: 1000000000
        alarms:
        {(withGone ? """
          - id: gone
            tag: counter-1/count
            above: -1
            severity: high
            message: counter 1 is running (gone)
        """ : string.Empty)}
          - id: kept
            tag: counter-1/count
            above: -1
            severity: info
            message: counter 1 is running (kept)
        {Upstream}
        """;

    /// <summary>An opcua device with <c>events:</c> whose server is not running: its alarms can only come from alarms.db.</summary>
    private string OpcUaConfig() => $$"""
        gateway:
          id: retire-gw
          site: lab
          data_dir: {{DataDirectory}}
        devices:
          - id: boiler
            driver: opcua
            # No server in this test: a port number only, never listened on.
            endpoint: opc.tcp://127.0.0.1:{{FreePort.Next().ToString(CultureInfo.InvariantCulture)}}
            poll_interval: 1s
            request_timeout: 1s
            events: true
            tags:
              - { id: temperature, node: "ns=1;s=Alarms.Temperature" }
        {{Upstream}}
        http:
          listen: 127.0.0.1:0
        """;
}
