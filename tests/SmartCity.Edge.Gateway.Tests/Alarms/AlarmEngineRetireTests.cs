using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Upstream.Json;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>Alarms that leave the configuration (reload or restart) are retired: one last message, then gone.</summary>
public sealed class AlarmEngineRetireTests
{
    private const string Condition = "ns=1;s=Alarms.TemperatureAlarm";
    private const string DeviceAlarmId = "dev-1-alarms-temperaturealarm";
    private const string OtherDevice = "dev-2";

    private static readonly IReadOnlySet<string> s_noDeviceKeepsAlarms = new HashSet<string>(StringComparer.Ordinal);

    private static AlarmDefinition Offline(string device) => new(
        BuiltInAlarmIds.Offline(device), AlarmKind.Offline, device, null, null, AlarmSeverity.High,
        AlarmOptions.DefaultOfflineMessage, TimeSpan.Zero, TimeSpan.Zero, false, [], OfflineAfter: 1);

    private static DeviceAlarm ActiveCondition() =>
        new(AlarmEngineHarness.Device, Condition, "Alarms.TemperatureAlarm", "1:Temperature", "Temperature high", DeviceAlarmSeverity.High, 700,
            new DateTimeOffset(2026, 11, 25, 11, 0, 0, TimeSpan.Zero), Active: true, Acknowledged: false, Retain: true);

    private static JsonElement Json(AlarmEvent alarmEvent) =>
        JsonDocument.Parse(AlarmJson.ToJson(AlarmRecord.From(alarmEvent), 1)).RootElement;

    [Fact]
    public void Reconfigure_RuleRemovedWhileActive_PublishesOneRetirement_KeptAlarmUntouched()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "gone")), AlarmEngineHarness.Rule(AlarmEngineHarness.Above(5, "kept"))]);
        h.Feed(11);
        Assert.Equal([("gone", "active"), ("kept", "active")], h.Events.Select(e => (e.Alarm.Id, e.State.ToWire())));
        h.Time.Advance(TimeSpan.FromSeconds(3));

        h.Reconfigure([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(5, "kept"))]);
        h.Feed(12);
        h.Feed(1);

        Assert.Equal([("gone", "active"), ("kept", "active"), ("gone", "cleared"), ("kept", "cleared")], h.Events.Select(e => (e.Alarm.Id, e.State.ToWire())));
        AlarmEvent retired = h.Events[2];
        Assert.Equal((AlarmLifecycle.Active, AlarmRetirement.Reason, true, false), (retired.Previous, retired.Reason, retired.Retired, retired.IsQuietRetirement));
        Assert.Equal(h.Time.GetUtcNow() - TimeSpan.FromMilliseconds(200), retired.Timestamp); // the reload's clock, before the two readings
        Assert.False(h.Events[3].Retired);
        JsonElement json = Json(retired);
        Assert.Equal(("cleared", "active", "removed from configuration", true), (json.GetProperty("state").GetString(), json.GetProperty("previous").GetString(), json.GetProperty("reason").GetString(), json.GetProperty("retired").GetBoolean()));
        Assert.Equal(11, json.GetProperty("value").GetDouble());
        Assert.False(Json(h.Events[3]).TryGetProperty("retired", out _));
        Assert.False(h.Engine.Contains("gone"));
        Assert.Equal(AckOutcome.UnknownAlarm, h.Engine.Acknowledge("gone", "desk", null).Outcome);
    }

    [Fact]
    public void Reconfigure_RuleRemovedWhileRateLimited_RetirementGoesOutWithTheHeldBackCount()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "flappy"))], AlarmOptions.Default with { MaxTransitions = 1, RateWindow = TimeSpan.FromMinutes(1) });
        h.Feed(11);
        h.Feed(1); // held back: the desk still sees active
        h.Feed(11);
        h.Feed(1);

        h.Reconfigure([]);
        h.Time.Advance(TimeSpan.FromMinutes(2)); // the rate window opening later publishes nothing more

        Assert.Equal(["active", "cleared"], h.States);
        Assert.Equal((AlarmLifecycle.Active, true, 3), (h.Events[1].Previous, h.Events[1].Retired, h.Events[1].Suppressed));
    }

    [Fact]
    public void Reconfigure_RemovedAlarmTheDeskSawCleared_QuietRetirement_NeverPublished_Nothing()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "seen")), AlarmEngineHarness.Rule(AlarmEngineHarness.Below(-10, "unseen"))]);
        h.Feed(11);
        h.Feed(1);

        h.Reconfigure([]);

        Assert.Equal([("seen", "active", false), ("seen", "cleared", false), ("seen", "cleared", true)], h.Events.Select(e => (e.Alarm.Id, e.State.ToWire(), e.Retired)));
        Assert.True(h.Events[2].IsQuietRetirement); // only its retained state is deleted; "unseen" never had one
    }

    [Fact]
    public void Reconfigure_DeviceRemoved_RetiresItsOfflineAndDeviceKeptAlarms_OtherDeviceUntouched()
    {
        using var h = new AlarmEngineHarness([Offline(AlarmEngineHarness.Device), Offline(OtherDevice)]);
        DateTimeOffset now = h.Time.GetUtcNow();
        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 1, "timeout", now);
        h.Engine.OnDevicePollFailed(OtherDevice, 1, "timeout", now);
        h.Engine.ApplyDeviceAlarm(ActiveCondition());
        Assert.Equal(3, h.Events.Count);

        h.Reconfigure([Offline(OtherDevice)], deviceAlarmSources: s_noDeviceKeepsAlarms);
        h.Engine.OnDevicePollFailed(OtherDevice, 2, "timeout", now);
        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 2, "timeout", now); // a late report of the removed device changes nothing

        AlarmEvent[] retired = h.Events.Skip(3).ToArray();
        Assert.Equal(
            [("dev-1-offline", AlarmLifecycle.Active), (DeviceAlarmId, AlarmLifecycle.Active)],
            retired.Select(e => (e.Alarm.Id, e.Previous)).ToArray());
        Assert.All(retired, e => Assert.Equal((AlarmLifecycle.Cleared, true, AlarmRetirement.Reason), (e.State, e.Retired, e.Reason)));
        Assert.Equal(new DeviceAlarmOrigin(Condition, "1:Temperature", 700), retired[1].Origin); // integrators still see which condition it was
        Assert.Equal("Temperature high", retired[1].Message);
        Assert.False(h.Engine.Contains(DeviceAlarmId));
        Assert.Null(h.Engine.RequestDeviceAcknowledgement(DeviceAlarmId, "desk", null));
        Assert.Equal(AlarmLifecycle.Active, h.Engine.StateOf("dev-2-offline"));
    }

    [Fact]
    public void Reconfigure_EventsSwitchedOff_RetiresOnlyTheDeviceKeptAlarms_OnAgain_AlarmComesBackFresh()
    {
        using var h = new AlarmEngineHarness([Offline(AlarmEngineHarness.Device)]);
        h.Engine.OnDevicePollFailed(AlarmEngineHarness.Device, 1, "timeout", h.Time.GetUtcNow());
        h.Engine.ApplyDeviceAlarm(ActiveCondition());

        h.Reconfigure([Offline(AlarmEngineHarness.Device)], deviceAlarmSources: s_noDeviceKeepsAlarms);

        Assert.Equal([("dev-1-offline", "active", false), (DeviceAlarmId, "active", false), (DeviceAlarmId, "cleared", true)], h.Events.Select(e => (e.Alarm.Id, e.State.ToWire(), e.Retired)));
        Assert.Equal(AlarmLifecycle.Active, h.Engine.StateOf("dev-1-offline"));

        h.Reconfigure([Offline(AlarmEngineHarness.Device)]);
        h.Engine.ApplyDeviceAlarm(ActiveCondition());

        Assert.Equal((DeviceAlarmId, AlarmLifecycle.Active, AlarmLifecycle.Cleared), (h.Events[^1].Alarm.Id, h.Events[^1].State, h.Events[^1].Previous));
    }

    [Fact]
    public void Start_StoredAlarmsGoneFromConfiguration_RetiredFromTheirStoredJson_KeptOnesRestoredSilently()
    {
        DateTimeOffset since = new(2026, 11, 25, 11, 0, 0, TimeSpan.Zero);
        var before = new AlarmEngineHarness([
            AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "gone"), unit: "°C"), AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "kept")), AlarmEngineHarness.Rule(AlarmEngineHarness.Below(0, "gone-cleared"))]);
        before.Feed(-1);
        before.Feed(11);
        before.Engine.ApplyDeviceAlarm(ActiveCondition());
        AlarmSnapshot[] stored = before.Events
            .GroupBy(e => e.Alarm.Id)
            .Select(g => g.Last())
            .Select(e => new AlarmSnapshot(e.Alarm.Id, e.State, since, null, AlarmJson.ToJson(AlarmRecord.From(e), 9)))
            .ToArray();
        before.Dispose();
        Assert.Equal(4, stored.Length);

        // "gone" and "gone-cleared" are no longer configured, and dev-1 no longer reports its own alarms.
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "kept"))], restored: stored, deviceAlarmSources: s_noDeviceKeepsAlarms);
        h.Feed(12); // still tripped: no duplicate "active" for the kept alarm

        Assert.Equal(
            [("gone-cleared", AlarmLifecycle.Cleared), ("gone", AlarmLifecycle.Active), (DeviceAlarmId, AlarmLifecycle.Active)],
            h.Events.Select(e => (e.Alarm.Id, e.Previous)).OrderBy(e => e.Id == "gone-cleared" ? 0 : e.Id == "gone" ? 1 : 2).ToArray());
        Assert.All(h.Events, e => Assert.Equal((AlarmLifecycle.Cleared, true, AlarmRetirement.Reason, h.Time.GetUtcNow() - TimeSpan.FromMilliseconds(100)), (e.State, e.Retired, e.Reason, e.Timestamp)));
        AlarmEvent gone = h.Events.Single(e => e.Alarm.Id == "gone");
        Assert.Equal(("dev-1", "t1", "°C", AlarmSeverity.High, "gone"), (gone.Alarm.DeviceId, gone.Tag, gone.Alarm.Unit, gone.Alarm.Severity, gone.Message));
        Assert.True(h.Events.Single(e => e.Alarm.Id == "gone-cleared").IsQuietRetirement);
        Assert.Equal(new DeviceAlarmOrigin(Condition, "1:Temperature", 700), h.Events.Single(e => e.Alarm.Id == DeviceAlarmId).Origin);
        Assert.True(h.Engine.Contains("kept"));
        Assert.Equal(AlarmLifecycle.Active, h.Engine.StateOf("kept"));
        Assert.False(h.Engine.Contains(DeviceAlarmId));
    }

    [Fact]
    public void Start_DeviceStillReportsItsAlarms_DeviceAlarmRestoredAndKnown()
    {
        var before = new AlarmEngineHarness([]);
        before.Engine.ApplyDeviceAlarm(ActiveCondition());
        string body = AlarmJson.ToJson(AlarmRecord.From(before.Events[0]), 1);
        before.Dispose();

        using var h = new AlarmEngineHarness([], restored: [new AlarmSnapshot(DeviceAlarmId, AlarmLifecycle.Active, before.Time.GetUtcNow(), null, body)]);

        Assert.Empty(h.Events);
        Assert.True(h.Engine.Contains(DeviceAlarmId));
        Assert.Equal((AlarmKind.Device, "Temperature high"), (h.Engine.DefinitionOf(DeviceAlarmId).Kind, h.Engine.DefinitionOf(DeviceAlarmId).MessageTemplate));
    }

    [Fact]
    public void Start_StoredRowOfAnotherVersion_StillRetired()
    {
        using var h = new AlarmEngineHarness([], restored: [new AlarmSnapshot("old", AlarmLifecycle.Acknowledged, DateTimeOffset.UnixEpoch, "desk", "not json")]);

        AlarmEvent retired = Assert.Single(h.Events);
        Assert.Equal(("old", AlarmLifecycle.Cleared, AlarmLifecycle.Acknowledged, true), (retired.Alarm.Id, retired.State, retired.Previous, retired.Retired));
    }
}
