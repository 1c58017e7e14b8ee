using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Upstream.Json;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>Alarms kept by a device (OPC UA conditions): the device's reports drive the lifecycle.</summary>
public sealed class AlarmEngineDeviceConditionTests
{
    private const string Condition = "ns=1;s=Alarms.TemperatureAlarm";
    private const string AlarmId = "dev-1-alarms-temperaturealarm";

    private static DeviceAlarm Report(bool active, bool acked, bool retain = true, string condition = Condition, string name = "Alarms.TemperatureAlarm", int severity = 700) =>
        new(AlarmEngineHarness.Device, condition, name, "1:Temperature", "Temperature high", severity > 600 ? DeviceAlarmSeverity.High : DeviceAlarmSeverity.Info, severity,
            new DateTimeOffset(2026, 11, 25, 11, 0, 0, TimeSpan.Zero), active, acked, retain);

    [Fact]
    public void DeviceReports_ActiveAckedInactive_MirroredWithAckOfRequester()
    {
        using var h = new AlarmEngineHarness([]);

        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: false));
        DeviceAckRequest? request = h.Engine.RequestDeviceAcknowledgement(AlarmId, "desk-1", "on my way");
        Assert.Empty(h.Events.Skip(1)); // asking changes nothing: the device decides
        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: true));
        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: true)); // the same state again: nothing new
        h.Engine.ApplyDeviceAlarm(Report(active: false, acked: true, retain: false));

        Assert.Equal(["active", "acknowledged", "cleared"], h.States);
        Assert.Equal(new DeviceAckRequest(AlarmEngineHarness.Device, Condition, AlarmLifecycle.Active, true), request);
        AlarmEvent active = h.Events[0];
        Assert.Equal((AlarmId, AlarmKind.Device, AlarmSeverity.High, "Temperature high"), (active.Alarm.Id, active.Alarm.Kind, active.Alarm.Severity, active.Message));
        Assert.Equal(new DeviceAlarmOrigin(Condition, "1:Temperature", 700), active.Origin);
        Assert.Equal(("desk-1", "on my way"), (h.Events[1].Acknowledgement!.By, h.Events[1].Acknowledgement!.Comment));
        Assert.Null(h.Events[2].Acknowledgement);
        Assert.Equal(AlarmLifecycle.Cleared, h.Engine.RequestDeviceAcknowledgement(AlarmId, "desk-1", null)!.State);
        Assert.False(h.Engine.RequestDeviceAcknowledgement(AlarmId, "desk-1", null)!.AwaitsAcknowledgement);
        Assert.Null(h.Engine.RequestDeviceAcknowledgement("no-such-alarm", "desk-1", null));
    }

    [Fact]
    public void DeviceReports_InactiveUnacked_UnacknowledgedClearedUntilAckedAtDevice()
    {
        using var h = new AlarmEngineHarness([]);

        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: false));
        h.Engine.ApplyDeviceAlarm(Report(active: false, acked: false, retain: true));
        h.Engine.ApplyDeviceAlarm(Report(active: false, acked: true, retain: false, severity: 100));

        Assert.Equal(["active", "unacknowledged_cleared", "cleared"], h.States);
        Assert.Equal("device", h.Events[2].Acknowledgement!.By); // acknowledged at the device itself, not through us
        Assert.Equal(AlarmSeverity.Info, h.Events[2].Alarm.Severity); // severity follows the device's latest report
    }

    [Fact]
    public void Restored_ActiveDeviceAlarm_RefreshReportsItAgain_NoDuplicate_MissingFromRefresh_Cleared()
    {
        var first = new AlarmEngineHarness([]);
        first.Engine.ApplyDeviceAlarm(Report(active: true, acked: false));
        string body = AlarmJson.ToJson(AlarmRecord.From(first.Events[0]), 1);
        first.Dispose();

        using var h = new AlarmEngineHarness([], restored: [new AlarmSnapshot(AlarmId, AlarmLifecycle.Active, first.Time.GetUtcNow(), null, body)]);
        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: false));
        Assert.Empty(h.Events);
        h.Engine.SynchronizeDeviceAlarms(AlarmEngineHarness.Device, [Condition]);
        Assert.Empty(h.Events);
        h.Engine.SynchronizeDeviceAlarms("other-device", []);
        Assert.Empty(h.Events);

        h.Engine.SynchronizeDeviceAlarms(AlarmEngineHarness.Device, []);

        AlarmEvent cleared = Assert.Single(h.Events);
        Assert.Equal((AlarmLifecycle.Cleared, AlarmLifecycle.Active, "no longer reported by the device"), (cleared.State, cleared.Previous, cleared.Reason));
        JsonElement json = JsonDocument.Parse(AlarmJson.ToJson(AlarmRecord.From(cleared), 1)).RootElement;
        Assert.Equal(Condition, json.GetProperty("condition").GetProperty("id").GetString());
        Assert.Equal(700, json.GetProperty("condition").GetProperty("severity").GetInt32());
        Assert.Equal("high", json.GetProperty("severity").GetString());
    }

    [Fact]
    public void DeviceAlarmIds_TakenByConfiguredAlarmOrOtherCondition_Numbered()
    {
        AlarmRule rule = AlarmEngineHarness.Above(5, id: AlarmId);
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(rule)]);

        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: false));
        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: false, condition: "ns=2;s=Alarms/TemperatureAlarm", name: "Alarms/TemperatureAlarm"));
        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: false, condition: "i=4711", name: "i=4711"));

        Assert.Equal([AlarmId + "-2", AlarmId + "-3", "dev-1-i-4711"], h.Events.Select(e => e.Alarm.Id));
    }

    [Theory]
    [InlineData("boiler", "Alarms.TemperatureAlarm", "boiler-alarms-temperaturealarm")]
    [InlineData("boiler", "ns=2;i=17", "boiler-ns-2-i-17")]
    [InlineData("boiler", "..Tank #1 / Level..", "boiler-tank-1-level")]
    [InlineData("boiler", "***", "boiler-condition")]
    public void DeviceConditionId_TopicSafeAndStable(string device, string name, string expected) =>
        Assert.Equal(expected, BuiltInAlarmIds.DeviceCondition(device, name));
}
