using System.Text;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Tests.Pipeline;

/// <summary>The exact bytes integrators receive (docs/upstream.md).</summary>
public sealed class UpstreamMessageBuilderTests
{
    private static readonly DateTimeOffset s_ts = new(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero);
    private static readonly TagTable s_panel = new("fire-panel-1", [new("smoke_zone1", TagDataType.Float64), new("count", TagDataType.Int64)]);
    private static readonly TagTable s_door = new("door-1", [new("open", TagDataType.Boolean)]);
    private readonly RecordEncoder _encoder = new();
    private readonly UpstreamMessageBuilder _builder = new(new UpstreamTopics("smartcity/dai-an/hd-park-01"), "hd-park-01", maxBatch: 2);

    [Fact]
    public void Telemetry_ReadingsOfOneDevice_BatchedInSeqOrderWithDocumentedShape()
    {
        BufferedRecord[] records =
        [
            Record(1042, _encoder.EncodeReading(s_panel, TagReading.Good(0, TagValue.FromDouble(3.2), s_ts))),
            Record(1043, _encoder.EncodeReading(s_door, TagReading.Good(0, TagValue.FromBoolean(true), s_ts))),
            Record(1044, _encoder.EncodeReading(s_panel, TagReading.Bad(0, "IllegalDataAddress (02)", s_ts))),
            Record(1045, _encoder.EncodeReading(s_panel, TagReading.Good(1, TagValue.FromInt64(-7), s_ts))),
        ];
        var messages = new List<UpstreamMessage>();

        _builder.BuildTelemetry(records, messages);

        Assert.Equal(3, messages.Count);
        Assert.Equal("smartcity/dai-an/hd-park-01/telemetry/fire-panel-1", messages[0].Topic);
        Assert.Equal(
            """{"gateway":"hd-park-01","device":"fire-panel-1","readings":[{"tag":"smoke_zone1","value":3.2,"quality":"good","ts":"2026-11-25T12:00:00.123Z","seq":1042},{"tag":"smoke_zone1","value":null,"quality":"bad","reason":"IllegalDataAddress (02)","ts":"2026-11-25T12:00:00.123Z","seq":1044}]}""",
            Encoding.UTF8.GetString(messages[0].Payload.Span));
        Assert.Equal(1044, messages[0].LastSeq);
        Assert.Equal(
            """{"gateway":"hd-park-01","device":"fire-panel-1","readings":[{"tag":"count","value":-7,"quality":"good","ts":"2026-11-25T12:00:00.123Z","seq":1045}]}""",
            Encoding.UTF8.GetString(messages[1].Payload.Span));
        Assert.Equal("smartcity/dai-an/hd-park-01/telemetry/door-1", messages[2].Topic);
        Assert.Contains("\"value\":true", Encoding.UTF8.GetString(messages[2].Payload.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void Alarm_Transition_HasDocumentedShape()
    {
        var rule = new AlarmRule("smoke-zone1-high", "fire-panel-1", "smoke_zone1", AlarmCondition.Above, TagValue.FromDouble(12.5), AlarmSeverity.Critical, "Smoke density high in zone 1");
        AlarmDefinition alarm = Definition(rule, unit: null);
        BufferEntry entry = new AlarmEncoder().Encode(new AlarmEvent(alarm, AlarmLifecycle.Active, AlarmLifecycle.Cleared, TagValue.FromDouble(13.1), "smoke_zone1", rule.Message, null, s_ts, null, 0));

        UpstreamMessage message = _builder.BuildAlarm(Record(1043, entry));

        Assert.Equal("smartcity/dai-an/hd-park-01/alarms", message.Topic);
        Assert.False(message.Retain);
        Assert.Equal(
            """{"alarm":"smoke-zone1-high","state":"active","severity":"critical","device":"fire-panel-1","tag":"smoke_zone1","value":13.1,"message":"Smoke density high in zone 1","ts":"2026-11-25T12:00:00.123Z","previous":"cleared","seq":1043}""",
            Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Equal(RecordKind.Alarm, entry.Kind);
    }

    [Fact]
    public void Alarm_AcknowledgedWithSuppressed_CarriesAckUnitAndCount_AndRetainedStateTopic()
    {
        var rule = new AlarmRule("gas-high", "gas-1", "ch4", AlarmCondition.Above, TagValue.FromDouble(25), AlarmSeverity.High, "CH4 {value} {unit}");
        AlarmDefinition alarm = Definition(rule, unit: "%LEL");
        var ack = new AlarmAcknowledgement("desk-1", "on my way", s_ts);
        BufferEntry entry = new AlarmEncoder().Encode(new AlarmEvent(alarm, AlarmLifecycle.Acknowledged, AlarmLifecycle.Active, TagValue.FromDouble(30), "ch4", "CH4 30 %LEL", null, s_ts, ack, 3));

        UpstreamMessage state = _builder.BuildAlarmState(Record(7, entry));

        Assert.Equal("smartcity/dai-an/hd-park-01/alarms/state/gas-high", state.Topic);
        Assert.True(state.Retain);
        Assert.Equal(
            """{"alarm":"gas-high","state":"acknowledged","severity":"high","device":"gas-1","tag":"ch4","value":30,"message":"CH4 30 %LEL","ts":"2026-11-25T12:00:00.123Z","previous":"active","unit":"%LEL","ack":{"by":"desk-1","comment":"on my way","ts":"2026-11-25T12:00:00.123Z"},"suppressed":3,"seq":7}""",
            Encoding.UTF8.GetString(state.Payload.Span));
    }

    [Fact]
    public void Alarm_Retirement_TransitionThenEmptyRetainedStateDeletingTheTopic()
    {
        var rule = new AlarmRule("gas-high", "gas-1", "ch4", AlarmCondition.Above, TagValue.FromDouble(25), AlarmSeverity.High, "CH4 {value} {unit}");
        BufferEntry entry = new AlarmEncoder().Encode(new AlarmEvent(
            Definition(rule, unit: "%LEL"), AlarmLifecycle.Cleared, AlarmLifecycle.Active, TagValue.FromDouble(30), "ch4", "CH4 30 %LEL", AlarmRetirement.Reason, s_ts, null, 0, Retired: true));
        var messages = new List<UpstreamMessage>();

        _builder.BuildAlarmMessages(Record(8, entry), messages);

        Assert.Equal(2, messages.Count);
        Assert.Equal(("smartcity/dai-an/hd-park-01/alarms", false), (messages[0].Topic, messages[0].Retain));
        Assert.Equal(
            """{"alarm":"gas-high","state":"cleared","severity":"high","device":"gas-1","tag":"ch4","value":30,"message":"CH4 30 %LEL","ts":"2026-11-25T12:00:00.123Z","previous":"active","unit":"%LEL","reason":"removed from configuration","retired":true,"seq":8}""",
            Encoding.UTF8.GetString(messages[0].Payload.Span));
        Assert.Equal(("smartcity/dai-an/hd-park-01/alarms/state/gas-high", true, 0, 8L), (messages[1].Topic, messages[1].Retain, messages[1].Payload.Length, messages[1].LastSeq));
    }

    [Fact]
    public void Alarm_QuietRetirementOfAClearedAlarm_OnlyDeletesTheRetainedState_TransitionKeepsBothMessages()
    {
        var rule = new AlarmRule("gas-high", "gas-1", "ch4", AlarmCondition.Above, TagValue.FromDouble(25), AlarmSeverity.High, "CH4");
        AlarmDefinition alarm = Definition(rule, unit: null);
        BufferEntry quiet = new AlarmEncoder().Encode(new AlarmEvent(alarm, AlarmLifecycle.Cleared, AlarmLifecycle.Cleared, TagValue.None, "ch4", "CH4", AlarmRetirement.Reason, s_ts, null, 0, Retired: true));
        BufferEntry cleared = new AlarmEncoder().Encode(new AlarmEvent(alarm, AlarmLifecycle.Cleared, AlarmLifecycle.Active, TagValue.FromDouble(3), "ch4", "CH4", null, s_ts, null, 0));
        var messages = new List<UpstreamMessage>();

        _builder.BuildAlarmMessages(Record(9, quiet), messages);
        UpstreamMessage retainedDeletion = Assert.Single(messages);
        _builder.BuildAlarmMessages(Record(10, cleared), messages);

        Assert.Equal(("smartcity/dai-an/hd-park-01/alarms/state/gas-high", true, 0), (retainedDeletion.Topic, retainedDeletion.Retain, retainedDeletion.Payload.Length));
        Assert.Equal(3, messages.Count);
        Assert.Equal(("smartcity/dai-an/hd-park-01/alarms/state/gas-high", true), (messages[2].Topic, messages[2].Retain));
        Assert.Equal(messages[1].Payload.ToArray(), messages[2].Payload.ToArray());
    }

    [Fact]
    public void Telemetry_Float32_IsTheShortestTextOfTheFloatNotOfItsWidening()
    {
        var table = new TagTable("d", [new("level", TagDataType.Float32), new("flow", TagDataType.Float64)]);
        var messages = new List<UpstreamMessage>();

        _builder.BuildTelemetry(
            [Record(1, _encoder.EncodeReading(table, TagReading.Good(0, TagValue.FromSingle(24.864313f), s_ts))),
             Record(2, _encoder.EncodeReading(table, TagReading.Good(1, TagValue.FromDouble(24.864313f), s_ts)))],
            messages);

        string json = Encoding.UTF8.GetString(messages[0].Payload.Span);
        Assert.Contains("\"tag\":\"level\",\"value\":24.864313,", json, StringComparison.Ordinal);
        Assert.Contains("\"tag\":\"flow\",\"value\":24.86431312561035,", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Telemetry_TextWithQuotesAndNonAscii_IsEscapedJson()
    {
        BufferEntry entry = _encoder.EncodeReading(new TagTable("d", [new("label", TagDataType.String)]), TagReading.Good(0, TagValue.FromString("Tür \"A\"\n"), s_ts));
        var messages = new List<UpstreamMessage>();

        _builder.BuildTelemetry([Record(1, entry)], messages);

        using var json = System.Text.Json.JsonDocument.Parse(messages[0].Payload);
        Assert.Equal("Tür \"A\"\n", json.RootElement.GetProperty("readings")[0].GetProperty("value").GetString());
    }

    private static AlarmDefinition Definition(AlarmRule rule, string? unit) =>
        new(rule.Id, AlarmKind.Rule, rule.DeviceId, rule.TagId, unit, rule.Severity, rule.Message, rule.Delay, rule.ClearDelay, rule.Latch, rule.Actions, rule);

    private static BufferedRecord Record(long seq, BufferEntry entry) => new(seq, entry.Kind, entry.DeviceId, entry.Body);
}
