using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>How alarm records and tag tables are stored: round trips of every field, and damaged bytes.</summary>
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
