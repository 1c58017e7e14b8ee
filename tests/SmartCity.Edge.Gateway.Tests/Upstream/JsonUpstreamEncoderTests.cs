using System.Buffers;
using System.Text;
using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Json;

namespace SmartCity.Edge.Gateway.Tests.Upstream;

/// <summary>The exact bytes integrators receive (docs/upstream.md), rendered from stored frames, alarm and audit records.</summary>
public sealed class JsonUpstreamEncoderTests
{
    private static readonly DateTimeOffset s_ts = new(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero);

    /// <summary>Text that JSON escapes in every way: quotes, backslash, control characters, non-ASCII, a surrogate pair, HTML-sensitive characters.</summary>
    private static readonly string[] s_characters = ["a", "Z", "\"", "\\", "\n", "\u0001", "ü", "€", "🔥", "<", ">", "&", "'"];
    private static readonly TagTable s_panel = new("fire-panel-1", [new("smoke_zone1", TagDataType.Float64), new("count", TagDataType.Int64)]);
    private static readonly TagTable s_door = new("door-1", [new("open", TagDataType.Boolean), new("label", TagDataType.String)]);
    private readonly JsonUpstreamEncoder _encoder = new(new UpstreamTopics("smartcity/dai-an/hd-park-01"), "hd-park-01", maxBatch: 2);

    [Fact]
    public void Audit_EachRecordOneMessageOnTheAuditTopic_DocumentedShapeWithSeq()
    {
        AuditRecord[] records =
        [
            new AuditRecord("write", "mqtt", "alice", "desk-1", "b9f0", "door-contacts", "release_north", TagValue.FromBoolean(false), TagValue.FromBoolean(true), TagValue.FromBoolean(true),
                AuditOutcome.Ok, null, null, s_ts) { Seq = 5120 },
            new AuditRecord("write", "mqtt", null, null, null, null, null, TagValue.None, TagValue.None, TagValue.None,
                AuditOutcome.Refused, "signature", "not signed by key desk-1", s_ts) { Seq = 5123 },
            new AuditRecord("write", "mqtt", "bob", "night", "5d1e", "plc", "valve", TagValue.FromInt64(0), TagValue.FromInt64(1), TagValue.None,
                AuditOutcome.DeviceError, "device_error", "refused", s_ts) { Seq = 5130, DeviceStatus = "IllegalDataAddress (02)" },
        ];
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeAudit(records, messages);

        Assert.Equal(["smartcity/dai-an/hd-park-01/audit"], messages.Select(m => m.Topic).Distinct());
        Assert.Equal([5120L, 5123, 5130], messages.Select(m => m.LastSeq));
        Assert.All(messages, m => Assert.False(m.Retain));
        Assert.Equal(
            [
                """{"seq":5120,"ts":"2026-11-25T12:00:00.123Z","command":"write","via":"mqtt","who":"alice","kid":"desk-1","id":"b9f0","device":"door-contacts","tag":"release_north","old":false,"requested":true,"confirmed":true,"outcome":"ok","code":null,"reason":null,"device_status":null}""",
                """{"seq":5123,"ts":"2026-11-25T12:00:00.123Z","command":"write","via":"mqtt","who":null,"kid":null,"id":null,"device":null,"tag":null,"old":null,"requested":null,"confirmed":null,"outcome":"refused","code":"signature","reason":"not signed by key desk-1","device_status":null}""",
                """{"seq":5130,"ts":"2026-11-25T12:00:00.123Z","command":"write","via":"mqtt","who":"bob","kid":"night","id":"5d1e","device":"plc","tag":"valve","old":0,"requested":1,"confirmed":null,"outcome":"device_error","code":"device_error","reason":"refused","device_status":"IllegalDataAddress (02)"}""",
            ],
            messages.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
    }

    [Fact]
    public void EvictionNotice_Ranges_OneMessageOnTheNoticesTopicThatOutlivesTheTelemetryOfItsBatch()
    {
        var messages = new List<UpstreamMessage>();
        _encoder.EncodeEvictionNotice([new EvictedRange(1043, 20_000, 18_900, s_ts), new EvictedRange(20_050, 31_337, 11_000, s_ts.AddSeconds(90))], messages);

        // The forwarder publishes the notice with the batch that follows it: rendering that batch must not overwrite it.
        _encoder.EncodeTelemetry([Frame(31_338, s_panel, TagReading.Good(0, TagValue.FromDouble(3.2), s_ts))], new List<UpstreamMessage>());

        UpstreamMessage notice = Assert.Single(messages);
        Assert.Equal("smartcity/dai-an/hd-park-01/notices", notice.Topic);
        Assert.False(notice.Retain);
        Assert.Equal(31_337, notice.LastSeq);
        Assert.Equal(
            """{"gateway":"hd-park-01","notice":"evicted","evicted":[[1043,20000],[20050,31337]],"readings":29900,"ts":"2026-11-25T12:01:30.123Z"}""",
            Encoding.UTF8.GetString(notice.Payload.Span));

        var none = new List<UpstreamMessage>();
        _encoder.EncodeEvictionNotice([], none);
        Assert.Empty(none);
    }

    [Fact]
    public void Telemetry_ReadingsOfOneDevice_BatchedInSeqOrderWithDocumentedShape()
    {
        BufferedFrame[] frames =
        [
            Frame(1042, s_panel, TagReading.Good(0, TagValue.FromDouble(3.2), s_ts)),
            Frame(1043, s_door, TagReading.Good(0, TagValue.FromBoolean(true), s_ts)),
            Frame(1044, s_panel, TagReading.Bad(0, "IllegalDataAddress (02)", s_ts), TagReading.Good(1, TagValue.FromInt64(-7), s_ts)),
        ];
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeTelemetry(frames, messages);

        Assert.Equal(3, messages.Count);
        Assert.Equal("smartcity/dai-an/hd-park-01/telemetry/fire-panel-1", messages[0].Topic);
        Assert.Equal(
            """{"gateway":"hd-park-01","device":"fire-panel-1","readings":[{"tag":"smoke_zone1","value":3.2,"quality":"good","ts":"2026-11-25T12:00:00.123Z","seq":1042},{"tag":"smoke_zone1","value":null,"quality":"bad","reason":"IllegalDataAddress (02)","ts":"2026-11-25T12:00:00.123Z","seq":1044}]}""",
            Encoding.UTF8.GetString(messages[0].Payload.Span));
        Assert.Equal(1044, messages[0].LastSeq);
        Assert.Equal(
            """{"gateway":"hd-park-01","device":"fire-panel-1","readings":[{"tag":"count","value":-7,"quality":"good","ts":"2026-11-25T12:00:00.123Z","seq":1045}]}""",
            Encoding.UTF8.GetString(messages[1].Payload.Span));
        Assert.Equal(1045, messages[1].LastSeq);
        Assert.Equal("smartcity/dai-an/hd-park-01/telemetry/door-1", messages[2].Topic);
        Assert.Contains("\"value\":true", Encoding.UTF8.GetString(messages[2].Payload.Span), StringComparison.Ordinal);
        Assert.All(messages, m => Assert.False(m.Retain));
    }

    [Fact]
    public void Telemetry_FrameLargerThanMaxBatch_SplitOverMessagesEachWithItsLastSeq()
    {
        var table = new TagTable("plc", Enumerable.Range(0, 5).Select(i => new TagTableEntry("r" + i, TagDataType.UInt16)));
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeTelemetry([Frame(10, table, Enumerable.Range(0, 5).Select(i => TagReading.Good(i, TagValue.FromInt64(i * 100), s_ts)).ToArray())], messages);

        Assert.Equal([11L, 13, 14], messages.Select(m => m.LastSeq));
        int[][] seqs = messages.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("readings").EnumerateArray().Select(r => r.GetProperty("seq").GetInt32()).ToArray()).ToArray();
        Assert.Equal([[10, 11], [12, 13], [14]], seqs);
    }

    [Fact]
    public void Telemetry_Float32_IsTheShortestTextOfTheFloatNotOfItsWidening()
    {
        var table = new TagTable("d", [new("level", TagDataType.Float32), new("flow", TagDataType.Float64)]);
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeTelemetry([Frame(1, table, TagReading.Good(0, TagValue.FromSingle(24.864313f), s_ts), TagReading.Good(1, TagValue.FromDouble(24.864313f), s_ts))], messages);

        string json = Encoding.UTF8.GetString(messages[0].Payload.Span);
        Assert.Contains("\"tag\":\"level\",\"value\":24.864313,", json, StringComparison.Ordinal);
        Assert.Contains("\"tag\":\"flow\",\"value\":24.86431312561035,", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Telemetry_TextWithQuotesAndNonAscii_IsEscapedJson()
    {
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeTelemetry([Frame(1, s_door, TagReading.Good(1, TagValue.FromString("Tür \"A\"\n"), s_ts))], messages);

        using var json = JsonDocument.Parse(messages[0].Payload);
        Assert.Equal("Tür \"A\"\n", json.RootElement.GetProperty("readings")[0].GetProperty("value").GetString());
    }

    [Fact]
    public void Telemetry_AnyValueQualityReasonAndTime_SameBytesAsUtf8JsonWriter()
    {
        // The hand-written reading writer against the JSON writer the contract was first written with, on random data.
        var random = new Random(20261125);
        var table = new TagTable("dev \"1\" ü", Enumerable.Range(0, 40).Select(i => new TagTableEntry(i % 7 == 0 ? $"tag \"{i}\" ü\u0001" : "t" + i, TagDataType.Unknown)));
        var encoder = new JsonUpstreamEncoder(new UpstreamTopics("p"), "gw \"α\"", maxBatch: 10_000);
        for (int round = 0; round < 50; round++)
        {
            TagReading[] readings = Enumerable.Range(0, 1 + random.Next(40)).Select(_ => RandomReading(random, table.Count)).ToArray();
            var messages = new List<UpstreamMessage>();

            encoder.EncodeTelemetry([Frame(1000 + round, table, readings)], messages);

            Assert.Equal(Reference("gw \"α\"", table, 1000 + round, readings), Encoding.UTF8.GetString(Assert.Single(messages).Payload.Span));
        }
    }

    [Fact]
    public void Telemetry_DamagedFrame_ThrowsNamingTheFrame()
    {
        BufferedFrame good = Frame(1, s_door, TagReading.Good(0, TagValue.FromBoolean(true), s_ts));
        byte[] body = good.Body.ToArray();
        body[^1] = 0xFF; // the value byte becomes an unknown encoding
        var damaged = new BufferedFrame(2, 1, s_door, body);

        DamagedFrameException ex = Assert.Throws<DamagedFrameException>(() => _encoder.EncodeTelemetry([good, damaged], []));

        Assert.Equal(damaged, ex.Frame);
        Assert.Throws<DamagedFrameException>(() => _encoder.EncodeTelemetry([good with { Count = 2 }], []));
    }

    [Fact]
    public void Alarm_Transition_HasDocumentedShape()
    {
        var rule = new AlarmRule("smoke-zone1-high", "fire-panel-1", "smoke_zone1", AlarmCondition.Above, TagValue.FromDouble(12.5), AlarmSeverity.Critical, "Smoke density high in zone 1");
        AlarmRecord record = AlarmRecord.From(new AlarmEvent(Definition(rule, unit: null), AlarmLifecycle.Active, AlarmLifecycle.Cleared, TagValue.FromDouble(13.1), "smoke_zone1", rule.Message, null, s_ts, null, 0));
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeAlarms([new BufferedAlarm(1043, record)], messages);

        Assert.Equal(("smartcity/dai-an/hd-park-01/alarms", false, 1043L), (messages[0].Topic, messages[0].Retain, messages[0].LastSeq));
        Assert.Equal(
            """{"alarm":"smoke-zone1-high","state":"active","severity":"critical","device":"fire-panel-1","tag":"smoke_zone1","value":13.1,"message":"Smoke density high in zone 1","ts":"2026-11-25T12:00:00.123Z","previous":"cleared","seq":1043}""",
            Encoding.UTF8.GetString(messages[0].Payload.Span));
    }

    [Fact]
    public void Alarm_AcknowledgedWithSuppressed_CarriesAckUnitAndCount_AndRetainedStateTopic()
    {
        var rule = new AlarmRule("gas-high", "gas-1", "ch4", AlarmCondition.Above, TagValue.FromDouble(25), AlarmSeverity.High, "CH4 {value} {unit}");
        var ack = new AlarmAcknowledgement("desk-1", "on my way", s_ts);
        AlarmRecord record = AlarmRecord.From(new AlarmEvent(Definition(rule, unit: "%LEL"), AlarmLifecycle.Acknowledged, AlarmLifecycle.Active, TagValue.FromDouble(30), "ch4", "CH4 30 %LEL", null, s_ts, ack, 3));
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeAlarms([new BufferedAlarm(7, record)], messages);

        UpstreamMessage state = messages[1];
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
        AlarmRecord record = AlarmRecord.From(new AlarmEvent(
            Definition(rule, unit: "%LEL"), AlarmLifecycle.Cleared, AlarmLifecycle.Active, TagValue.FromDouble(30), "ch4", "CH4 30 %LEL", AlarmRetirement.Reason, s_ts, null, 0, Retired: true));
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeAlarms([new BufferedAlarm(8, record)], messages);

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
        AlarmRecord quiet = AlarmRecord.From(new AlarmEvent(alarm, AlarmLifecycle.Cleared, AlarmLifecycle.Cleared, TagValue.None, "ch4", "CH4", AlarmRetirement.Reason, s_ts, null, 0, Retired: true));
        AlarmRecord cleared = AlarmRecord.From(new AlarmEvent(alarm, AlarmLifecycle.Cleared, AlarmLifecycle.Active, TagValue.FromDouble(3), "ch4", "CH4", null, s_ts, null, 0));
        var messages = new List<UpstreamMessage>();

        _encoder.EncodeAlarms([new BufferedAlarm(9, quiet), new BufferedAlarm(10, cleared)], messages);

        Assert.Equal(("smartcity/dai-an/hd-park-01/alarms/state/gas-high", true, 0), (messages[0].Topic, messages[0].Retain, messages[0].Payload.Length));
        Assert.Equal(3, messages.Count);
        Assert.Equal(("smartcity/dai-an/hd-park-01/alarms/state/gas-high", true), (messages[2].Topic, messages[2].Retain));
        Assert.Equal(messages[1].Payload.ToArray(), messages[2].Payload.ToArray());
    }

    private static AlarmDefinition Definition(AlarmRule rule, string? unit) =>
        new(rule.Id, AlarmKind.Rule, rule.DeviceId, rule.TagId, unit, rule.Severity, rule.Message, rule.Delay, rule.ClearDelay, rule.Latch, rule.Actions, rule);

    private static BufferedFrame Frame(long firstSeq, TagTable table, params TagReading[] readings)
    {
        var body = new ArrayBufferWriter<byte>();
        new FrameBodyWriter().Write(body, readings, Enumerable.Range(0, readings.Length).ToArray());
        return new BufferedFrame(firstSeq, readings.Length, table, body.WrittenSpan.ToArray());
    }

    private static TagReading RandomReading(Random random, int tags)
    {
        TagValue value = random.Next(11) switch
        {
            0 => TagValue.None,
            1 => TagValue.FromBoolean(random.Next(2) == 0),
            2 => TagValue.FromInt64(random.NextInt64(long.MinValue, long.MaxValue)),
            3 => TagValue.FromInt64(random.Next(-1000, 70000)),
            4 => TagValue.FromUInt64((ulong)random.NextInt64() * 3),
            5 => TagValue.FromSingle(BitConverter.Int32BitsToSingle(random.Next())),
            6 => TagValue.FromSingle((float)(random.NextDouble() * 100)),
            7 => TagValue.FromDouble(BitConverter.Int64BitsToDouble(random.NextInt64())),
            8 => TagValue.FromDouble(Math.Round(random.NextDouble() * 1e6) * (random.Next(2) == 0 ? -1 : 1)),
            9 => TagValue.FromDouble(new[] { double.NaN, double.PositiveInfinity, -0.0, 0.1, 1e300, 9007199254740993d }[random.Next(6)]),
            _ => TagValue.FromString(string.Concat(Enumerable.Range(0, random.Next(12)).Select(_ => s_characters[random.Next(s_characters.Length)]))),
        };
        var quality = (Quality)random.Next(3);
        string? reason = quality == Quality.Good ? null : new[] { "timeout", "Bad \"x\" ü", "device offline: 10.0.0.1:502 refused" }[random.Next(3)];
        DateTimeOffset ts = s_ts.AddMilliseconds(random.Next(-100_000_000, 100_000_000)).AddTicks(random.Next(10_000));
        return new TagReading(random.Next(tags), value, quality, reason, ts);
    }

    /// <summary>The message as the release before frames built it: each reading's members by <see cref="Utf8JsonWriter"/>.</summary>
    private static string Reference(string gateway, TagTable table, long firstSeq, TagReading[] readings)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("gateway", gateway);
            writer.WriteString("device", table.DeviceId);
            writer.WriteStartArray("readings");
            for (int i = 0; i < readings.Length; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("tag", table[readings[i].TagIndex].Id);
                JsonContract.WriteValue(writer, "value"u8, readings[i].Value);
                writer.WriteString("quality", readings[i].Quality.ToString().ToLowerInvariant());
                if (readings[i].Reason is { } reason)
                {
                    writer.WriteString("reason", reason);
                }

                JsonContract.WriteTimestamp(writer, "ts"u8, readings[i].SourceTimestamp);
                writer.WriteNumber("seq", firstSeq + i);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
