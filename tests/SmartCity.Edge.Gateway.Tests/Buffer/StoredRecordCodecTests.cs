using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>How alarm records, audit records and tag tables are stored: round trips of every field, and damaged bytes.</summary>
public sealed class StoredRecordCodecTests
{
    private static readonly DateTimeOffset s_ts = new(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero);

    public static TheoryData<int> AlarmIndexes => new(Enumerable.Range(0, s_alarms.Length));

    private static readonly AlarmRecord[] s_alarms =
    [
        new AlarmRecord("smoke", AlarmLifecycle.Active, AlarmLifecycle.Cleared, AlarmSeverity.Critical, "panel", "z1", TagValue.FromDouble(13.1), "Smoke", s_ts),
        new AlarmRecord("gas", AlarmLifecycle.Acknowledged, AlarmLifecycle.Active, AlarmSeverity.High, "gas-1", "ch4", TagValue.FromSingle(30.25f), "CH4 30 %LEL", s_ts,
            Unit: "%LEL", Acknowledgement: new AlarmAcknowledgement("desk \"1\"", "on my way 🔥", s_ts.AddSeconds(3)), Suppressed: 12),
        new AlarmRecord("plc-offline", AlarmLifecycle.Active, AlarmLifecycle.Cleared, AlarmSeverity.Info, "plc", null, TagValue.None, "offline", s_ts.AddYears(-30), Reason: "refused"),
        new AlarmRecord("cond", AlarmLifecycle.UnacknowledgedCleared, AlarmLifecycle.Active, AlarmSeverity.Warning, "ua", null, TagValue.FromString("x"), "Level HiHi", s_ts,
            Condition: new DeviceAlarmOrigin("ns=1;s=Alarms.LevelAlarm", "Tank 1", -4)),
        new AlarmRecord("gone", AlarmLifecycle.Cleared, AlarmLifecycle.Cleared, AlarmSeverity.Info, "d", "t", TagValue.FromUInt64(ulong.MaxValue), "", s_ts, Reason: AlarmRetirement.Reason, Retired: true,
            Acknowledgement: new AlarmAcknowledgement("device", null, s_ts)),
    ];

    [Theory]
    [MemberData(nameof(AlarmIndexes))]
    public void AlarmRecord_RoundTrip_EveryFieldComesBack(int index)
    {
        AlarmRecord record = s_alarms[index];
        Assert.Equal(record, AlarmRecordCodec.Decode(AlarmRecordCodec.Encode(record)));
    }

    [Fact]
    public void AlarmRecord_TruncatedOrDamaged_ThrowsStoredFormatException()
    {
        var random = new Random(7);
        foreach (AlarmRecord record in s_alarms)
        {
            byte[] body = AlarmRecordCodec.Encode(record);
            for (int length = 0; length < body.Length; length++)
            {
                Assert.Throws<StoredFormatException>(() => AlarmRecordCodec.Decode(body[..length]));
            }

            for (int round = 0; round < 500; round++)
            {
                byte[] damaged = (byte[])body.Clone();
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                try
                {
                    AlarmRecordCodec.Decode(damaged);
                }
                catch (StoredFormatException)
                {
                }
            }
        }
    }

    public static TheoryData<int> AuditIndexes => new(Enumerable.Range(0, s_audit.Length));

    private static readonly AuditRecord[] s_audit =
    [
        new AuditRecord("write", "mqtt", "alice", "desk-1", "b9f0", "door-contacts", "release_north", TagValue.FromBoolean(false), TagValue.FromBoolean(true), TagValue.FromBoolean(true),
            AuditOutcome.Ok, null, null, s_ts),
        new AuditRecord("write", "mqtt", "bob \"night\" 🔥", "night", "17c2", "plc", "setpoint", TagValue.FromSingle(30.25f), TagValue.FromDouble(-5000.5), TagValue.None,
            AuditOutcome.Refused, "out_of_range", "-5000.5 is outside the range of tag 'plc/setpoint' (0 to 600)", s_ts.AddYears(-30)),
        new AuditRecord("write", "mqtt", null, null, null, null, null, TagValue.None, TagValue.None, TagValue.None, AuditOutcome.Refused, "signature", "not signed by key 'desk-1'", s_ts),
        new AuditRecord("write", "sparkplug", "scada", "k", "5d1e", "plc", "valve", TagValue.FromUInt64(ulong.MaxValue), TagValue.FromString(new string('x', 1024) + "ü"), TagValue.FromInt64(long.MinValue),
            AuditOutcome.DeviceError, "device_error", "refused", s_ts) { DeviceStatus = "IllegalDataAddress (02)" },
        new AuditRecord("write", "mqtt", "", "", "", "", "", TagValue.FromInt64(1), TagValue.FromInt64(2), TagValue.FromInt64(1), AuditOutcome.NotConfirmed, "not_confirmed", "", s_ts),
        new AuditRecord("write", "mqtt", "alice", "desk-1", "c0de", "plc", "setpoint", TagValue.FromInt64(5), TagValue.FromInt64(7), TagValue.None, AuditOutcome.Interrupted, "interrupted", "whether the device carried it out is unknown", s_ts),
    ];

    [Theory]
    [MemberData(nameof(AuditIndexes))]
    public void AuditRecord_RoundTrip_EveryFieldComesBackWithTheRowsSeq(int index)
    {
        AuditRecord record = s_audit[index];
        Assert.Equal(record with { Seq = 5120 }, AuditRecordCodec.Decode(AuditRecordCodec.Encode(record), 5120));
    }

    [Fact]
    public void AuditRecord_TruncatedDamagedOrUnknownOutcome_ThrowsStoredFormatException()
    {
        var random = new Random(11);
        foreach (AuditRecord record in s_audit)
        {
            byte[] body = AuditRecordCodec.Encode(record);
            for (int length = 0; length < body.Length; length++)
            {
                Assert.Throws<StoredFormatException>(() => AuditRecordCodec.Decode(body[..length], 1));
            }

            Assert.Throws<StoredFormatException>(() => AuditRecordCodec.Decode([.. body, 0], 1));
            for (int round = 0; round < 500; round++)
            {
                byte[] damaged = (byte[])body.Clone();
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                try
                {
                    AuditRecordCodec.Decode(damaged, 1);
                }
                catch (StoredFormatException)
                {
                }
            }
        }

        byte[] unknownOutcome = AuditRecordCodec.Encode(s_audit[0]);
        unknownOutcome[2] = 9;
        Assert.Contains("damaged audit record: outcome 9", Assert.Throws<StoredFormatException>(() => AuditRecordCodec.Decode(unknownOutcome, 1)).Message, StringComparison.Ordinal);
        byte[] unknownFormat = AuditRecordCodec.Encode(s_audit[0]);
        unknownFormat[0] = 2;
        Assert.Throws<StoredFormatException>(() => AuditRecordCodec.Decode(unknownFormat, 1));
    }

    [Fact]
    public void TagTable_RoundTrip_IdsTypesAndOrderComeBack()
    {
        var table = new TagTable("gerät-1", [new("r0", TagDataType.UInt16), new("", TagDataType.Unknown), new("level 🔥", TagDataType.Float32), new("r0", TagDataType.String)]);

        TagTable read = TagTableCodec.Decode("gerät-1", TagTableCodec.Encode(table));

        Assert.Equal(table, read);
        Assert.Equal(table.Tags, read.Tags);
    }

    [Fact]
    public void TagTable_TruncatedOrUnknownType_ThrowsStoredFormatException()
    {
        byte[] stored = TagTableCodec.Encode(new TagTable("d", [new("a", TagDataType.Boolean), new("bc", TagDataType.Int32)]));

        for (int length = 0; length < stored.Length; length++)
        {
            Assert.Throws<StoredFormatException>(() => TagTableCodec.Decode("d", stored[..length]));
        }

        byte[] unknownType = (byte[])stored.Clone();
        unknownType[1] = 200;
        Assert.Throws<StoredFormatException>(() => TagTableCodec.Decode("d", unknownType));
        Assert.Throws<StoredFormatException>(() => TagTableCodec.Decode("d", [0xFF, 0xFF, 0xFF, 0x7F]));
    }
}
