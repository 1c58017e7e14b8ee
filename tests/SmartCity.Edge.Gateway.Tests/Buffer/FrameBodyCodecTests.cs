using System.Buffers;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer.Storage;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>The stored frame body (<see cref="FrameBodyWriter"/> / <see cref="FrameBodyReader"/>): round trips, size, and damaged bytes.</summary>
public sealed class FrameBodyCodecTests
{
    private static readonly DateTimeOffset s_ts = new(2026, 11, 25, 12, 0, 0, 123, TimeSpan.Zero);

    private static readonly string[] s_names = ["none", "false", "true", "0", "-1", "long.min", "long.max", "ulong.max", "float", "float.nan", "float.-0",
        "double", "double.nan", "double.-0", "double.inf", "double.20", "double.-1500", "double.2^53", "double.2^53+2", "text", "empty text"];

    public static TheoryData<string> Values => new(s_names);

    [Theory]
    [MemberData(nameof(Values))]
    public void RoundTrip_EachValueKind_ComesBackWithItsKindAndBits(string name)
    {
        TagValue value = ValueNamed(name);

        TagValue read = Decode(Encode([TagReading.Good(0, value, s_ts)]), 1).Single().Value;

        Assert.Equal(value.Kind, read.Kind);
        Assert.Equal(value, read);
    }

    [Fact]
    public void RoundTrip_SparseUnorderedRepeatedTagsWithReasonsAndOwnTimes_ComeBackInOrder()
    {
        TagReading[] readings =
        [
            new(7, TagValue.FromDouble(1.5), Quality.Uncertain, "UncertainLastUsableValue", s_ts),
            TagReading.Bad(2, "IllegalDataAddress (02)", s_ts.AddMilliseconds(-5)),
            TagReading.Good(7, TagValue.FromInt64(3), s_ts.AddDays(30).AddTicks(9_999)),
            TagReading.Bad(0, "IllegalDataAddress (02)", s_ts.AddYears(-80)),
            new(9, TagValue.FromString("Tür \"A\" 🔥"), Quality.Bad, "Rauch ü", s_ts),
        ];

        List<(int Index, TagValue Value, Quality Quality, string? Reason, DateTimeOffset Time)> read = Decode(Encode(readings), 10);

        // Times come back truncated to the millisecond, as every upstream format carries them.
        Assert.Equal(
            readings.Select(r => (r.TagIndex, r.Value, r.Quality, r.Reason, new DateTimeOffset(r.SourceTicks - (r.SourceTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero))),
            read);
    }

    [Fact]
    public void Encode_PollOfAThousandChangingRegisters_TakesAtMostFourBytesAReading()
    {
        var random = new Random(3);
        TagReading[] readings = Enumerable.Range(0, 1000).Select(i => TagReading.Good(i, TagValue.FromInt64(random.Next(65536)), s_ts)).ToArray();

        byte[] body = Encode(readings);

        Assert.True(body.Length <= 4 * readings.Length + 16, $"{body.Length} bytes for {readings.Length} uint16 readings");
        Assert.Equal(readings.Select(r => r.Value), Decode(body, 1000).Select(r => r.Value));
    }

    [Fact]
    public void Decode_TruncatedAnywhere_ThrowsStoredFormatException()
    {
        byte[] body = Encode([TagReading.Good(3, TagValue.FromString("abc"), s_ts), TagReading.Bad(5, "timeout", s_ts.AddSeconds(1)), TagReading.Good(6, TagValue.FromDouble(0.1), s_ts)]);

        for (int length = 0; length < body.Length; length++)
        {
            Assert.Throws<StoredFormatException>(() => Decode(body[..length], 10));
        }

        Assert.Throws<StoredFormatException>(() => Decode([.. body, 0], 10));
    }

    [Fact]
    public void Decode_IndexOutsideTheTable_ThrowsStoredFormatException()
    {
        byte[] sparse = Encode([TagReading.Good(4, TagValue.FromInt64(1), s_ts), TagReading.Good(9, TagValue.FromInt64(1), s_ts)]);
        byte[] dense = Encode([TagReading.Good(8, TagValue.FromInt64(1), s_ts), TagReading.Good(9, TagValue.FromInt64(1), s_ts)]);

        Assert.Throws<StoredFormatException>(() => Decode(sparse, 9));
        Assert.Throws<StoredFormatException>(() => Decode(dense, 9));
        Assert.Equal(2, Decode(dense, 10).Count);
    }

    [Fact]
    public void Decode_RandomlyDamagedBodies_OnlyEverThrowStoredFormatException()
    {
        var random = new Random(20261125);
        byte[] original = Encode(Enumerable.Range(0, 50).Select(i => new TagReading(random.Next(60), ValueNamed(s_names[i % s_names.Length]), (Quality)(i % 3), i % 3 == 0 ? null : "reason " + (i % 4), s_ts.AddMilliseconds(i * 7 % 13))).ToArray());
        for (int round = 0; round < 5_000; round++)
        {
            byte[] damaged = (byte[])original.Clone();
            for (int flips = 1 + random.Next(4); flips > 0; flips--)
            {
                damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
            }

            try
            {
                Decode(damaged, 60);
            }
            catch (StoredFormatException)
            {
                // The expected outcome for most mutations; others still decode to something in range.
            }
        }
    }

    private static TagValue ValueNamed(string name) => name switch
    {
        "none" => TagValue.None,
        "false" => TagValue.FromBoolean(false),
        "true" => TagValue.FromBoolean(true),
        "0" => TagValue.FromInt64(0),
        "-1" => TagValue.FromInt64(-1),
        "long.min" => TagValue.FromInt64(long.MinValue),
        "long.max" => TagValue.FromInt64(long.MaxValue),
        "ulong.max" => TagValue.FromUInt64(ulong.MaxValue),
        "float" => TagValue.FromSingle(24.864313f),
        "float.nan" => TagValue.FromSingle(float.NaN),
        "float.-0" => TagValue.FromSingle(-0f),
        "double" => TagValue.FromDouble(24.86431312561035),
        "double.nan" => TagValue.FromDouble(double.NaN),
        "double.-0" => TagValue.FromDouble(-0.0),
        "double.inf" => TagValue.FromDouble(double.NegativeInfinity),
        "double.20" => TagValue.FromDouble(20),
        "double.-1500" => TagValue.FromDouble(-1500),
        "double.2^53" => TagValue.FromDouble(9007199254740992d),
        "double.2^53+2" => TagValue.FromDouble(9007199254740994d),
        "text" => TagValue.FromString("Tür \"A\"\n🔥"),
        "empty text" => TagValue.FromString(string.Empty),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static byte[] Encode(TagReading[] readings)
    {
        var output = new ArrayBufferWriter<byte>();
        int written = new FrameBodyWriter().Write(output, readings, Enumerable.Range(0, readings.Length).ToArray());
        Assert.Equal(output.WrittenCount, written);
        return output.WrittenSpan.ToArray();
    }

    private static List<(int Index, TagValue Value, Quality Quality, string? Reason, DateTimeOffset Time)> Decode(byte[] body, int tags)
    {
        var reader = new FrameBodyReader(body, tags);
        var read = new List<(int, TagValue, Quality, string?, DateTimeOffset)>();
        while (reader.TryRead(out StoredReading reading))
        {
            Assert.InRange(reading.TagIndex, 0, tags - 1);
            read.Add((reading.TagIndex, reading.ToTagValue(), reading.Quality, reading.ReasonText, reading.Timestamp));
        }

        Assert.Equal(reader.Count, read.Count);
        return read;
    }
}
