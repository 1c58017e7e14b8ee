using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>
/// Each raise of an alarm is an occurrence, named by the seq of its first committed transition; a signed ack names the
/// occurrence it acknowledges, and an ack for another one changes nothing.
/// </summary>
public sealed class AlarmEngineOccurrenceTests
{
    [Fact]
    public void Ack_NamingTheCurrentOccurrence_Acknowledged()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);
        h.Feed(11);
        h.Events[0].Occurrence!.Assign(41); // the alarm service committed the active transition as seq 41

        (AckOutcome outcome, AlarmLifecycle state) = h.Engine.Acknowledge("a1", "alice", null, occurrence: 41, key: "desk-1");

        Assert.Equal((AckOutcome.Acknowledged, AlarmLifecycle.Acknowledged), (outcome, state));
        Assert.Same(h.Events[0].Occurrence, h.Events[1].Occurrence);
        Assert.Equal(("alice", "desk-1"), (h.Events[1].Acknowledgement!.By, h.Events[1].Acknowledgement!.Key));
    }

    [Fact]
    public void Ack_ForAnEarlierOccurrence_RefusedAndNothingChanges()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { Latch = true })]);
        h.Feed(11);
        h.Events[0].Occurrence!.Assign(41);
        h.Feed(5); // unacknowledged_cleared, same occurrence
        h.Engine.Acknowledge("a1", "alice", null, occurrence: 41);
        h.Feed(11); // raised again: a new occurrence
        h.Events[^1].Occurrence!.Assign(57);
        int published = h.Events.Count;

        (AckOutcome outcome, AlarmLifecycle state) = h.Engine.Acknowledge("a1", "mallory", null, occurrence: 41);

        Assert.Equal((AckOutcome.WrongOccurrence, AlarmLifecycle.Active), (outcome, state));
        Assert.Equal(published, h.Events.Count);
        Assert.Equal(57, h.Engine.OccurrenceOf("a1")!.Seq);
        Assert.Equal(["active", "unacknowledged_cleared", "cleared", "active"], h.States);
        Assert.NotSame(h.Events[0].Occurrence, h.Events[^1].Occurrence);
    }

    [Fact]
    public void Ack_BeforeTheOccurrenceIsCommitted_Refused()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);
        h.Feed(11); // published, not yet numbered by the buffer: nobody can know its seq

        Assert.Equal(AckOutcome.WrongOccurrence, h.Engine.Acknowledge("a1", "alice", null, occurrence: 1).Outcome);
        Assert.Equal(AckOutcome.Acknowledged, h.Engine.Acknowledge("a1", "alice", null).Outcome); // unsigned acks name none
    }

    [Fact]
    public void Ack_ForTheOccurrenceOfAClearedAlarm_NothingToAcknowledge()
    {
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10))]);
        h.Feed(11);
        h.Events[0].Occurrence!.Assign(3);
        h.Feed(5);

        Assert.Equal(AckOutcome.NotAwaitingAcknowledgement, h.Engine.Acknowledge("a1", "alice", null, occurrence: 3).Outcome);
        Assert.Equal(AckOutcome.WrongOccurrence, h.Engine.Acknowledge("a1", "alice", null, occurrence: 2).Outcome);
    }

    [Fact]
    public void Restore_RecordedOccurrence_AckNamingItAcknowledges()
    {
        AlarmSnapshot restored = new("a1", AlarmLifecycle.UnacknowledgedCleared, DateTimeOffset.UnixEpoch, null, Occurrence: 12, LastSeq: 20);
        using var h = new AlarmEngineHarness([AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10) with { Latch = true })], restored: [restored]);

        Assert.Equal(AckOutcome.WrongOccurrence, h.Engine.Acknowledge("a1", "alice", null, occurrence: 11).Outcome);
        Assert.Equal(AckOutcome.Acknowledged, h.Engine.Acknowledge("a1", "alice", null, occurrence: 12).Outcome);
    }

    [Fact]
    public void Restore_RowFromBeforeOccurrences_ActiveIsItsOwnSeq_LatchedAcceptsAnEarlierOne()
    {
        AlarmSnapshot active = new("a1", AlarmLifecycle.Active, DateTimeOffset.UnixEpoch, null, LastSeq: 30);
        AlarmSnapshot latched = new("a2", AlarmLifecycle.UnacknowledgedCleared, DateTimeOffset.UnixEpoch, null, LastSeq: 40);
        using var h = new AlarmEngineHarness(
            [AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10)), AlarmEngineHarness.Rule(AlarmEngineHarness.Above(10, "a2") with { Latch = true })],
            restored: [active, latched]);

        Assert.Equal(30, h.Engine.OccurrenceOf("a1")!.Seq);
        Assert.Equal(AckOutcome.WrongOccurrence, h.Engine.Acknowledge("a2", "alice", null, occurrence: 40).Outcome);
        Assert.Equal(AckOutcome.Acknowledged, h.Engine.Acknowledge("a2", "alice", null, occurrence: 35).Outcome);
    }

    [Fact]
    public void DeviceAlarm_AckForAnEarlierOccurrence_NotSentToTheDevice()
    {
        using var h = new AlarmEngineHarness([]);
        const string Condition = "ns=1;s=Alarms.TemperatureAlarm";
        DeviceAlarm Report(bool active, bool acked) => new(AlarmEngineHarness.Device, Condition, "Alarms.TemperatureAlarm", "1:Temperature", "Temperature high",
            DeviceAlarmSeverity.High, 700, DateTimeOffset.UnixEpoch, active, acked, Retain: true);
        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: false));
        h.Events[0].Occurrence!.Assign(8);
        string id = h.Events[0].Alarm.Id;

        DeviceAckRequest request = h.Engine.RequestDeviceAcknowledgement(id, "mallory", null, occurrence: 7)!;

        Assert.True(request.WrongOccurrence);
        Assert.False(request.AwaitsAcknowledgement);
        Assert.True(h.Engine.RequestDeviceAcknowledgement(id, "alice", null, occurrence: 8, key: "desk-1")!.AwaitsAcknowledgement);
        h.Engine.ApplyDeviceAlarm(Report(active: true, acked: true));
        Assert.Equal(("alice", "desk-1"), (h.Events[^1].Acknowledgement!.By, h.Events[^1].Acknowledgement!.Key));
    }
}
