using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>The seq ranges of evicted telemetry, kept for the upstream notice (docs/upstream.md, "Notices").</summary>
public sealed class SqliteDurableBufferEvictionNoticeTests
{
    private const long Cap = BufferOptions.MinMaxDiskBytes;

    [Fact]
    public async Task Evictions_DuringOneOutage_OneRangeCoveringExactlyTheEvictedSeqs()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path, Cap);
        long firstAlarm = await buffer.AppendAsync([Alarm(1), Alarm(2)], CancellationToken.None);
        long firstTelemetry = await FillUntilEvictedAsync(buffer, evictionsWanted: 3, start: 0);

        BufferStatistics statistics = buffer.GetStatistics();
        List<long> left = await ReadingSeqsAsync(buffer);
        IReadOnlyList<EvictedRange> ranges = await buffer.ReadEvictionsAsync(0, CancellationToken.None);

        // Several evictions while no upstream moved: merged into one range, from the first telemetry seq to just before the oldest left.
        EvictedRange range = Assert.Single(ranges);
        Assert.Equal(firstTelemetry, range.FromSeq);
        Assert.Equal(left[0] - 1, range.ToSeq);
        Assert.Equal(statistics.DroppedTelemetry, range.Readings);
        Assert.Equal(range.ToSeq, statistics.LastEvictedSeq);
        Assert.True(firstAlarm < range.FromSeq);
        Assert.Equal([firstAlarm, firstAlarm + 1], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
    }

    [Fact]
    public async Task EvictedRange_KeptAcrossReopen_DeletedOnceTheUpstreamIsPastIt()
    {
        using var dir = new TempDataDirectory();
        EvictedRange range;
        await using (SqliteDurableBuffer buffer = Open(dir.Path, Cap))
        {
            await FillUntilEvictedAsync(buffer, evictionsWanted: 1, start: 0);
            range = Assert.Single(await buffer.ReadEvictionsAsync(0, CancellationToken.None));
        }

        await using (SqliteDurableBuffer reopened = Open(dir.Path, Cap))
        {
            Assert.Equal([range], await reopened.ReadEvictionsAsync(0, CancellationToken.None));
            Assert.Equal(range.ToSeq, reopened.GetStatistics().LastEvictedSeq);

            // An upstream inside the range still has to announce it; one past it has nothing left to say.
            Assert.Equal([range], await reopened.ReadEvictionsAsync(range.ToSeq - 1, CancellationToken.None));
            Assert.Empty(await reopened.ReadEvictionsAsync(range.ToSeq, CancellationToken.None));

            await reopened.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, range.ToSeq, CancellationToken.None);
            Assert.Empty(await reopened.ReadEvictionsAsync(0, CancellationToken.None));
            Assert.Equal(0, reopened.GetStatistics().LastEvictedSeq);
        }
    }

    [Fact]
    public async Task Eviction_AfterAnUpstreamPassedTheLastRange_StartsANewRange()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path, Cap, upstreams: ["mqtt", "console"]);
        await FillUntilEvictedAsync(buffer, evictionsWanted: 1, start: 0);
        EvictedRange first = Assert.Single(await buffer.ReadEvictionsAsync(0, CancellationToken.None));

        // mqtt sent the notice and the data after it; console did not: the range stays for console, and a new eviction
        // must not extend it (mqtt would otherwise get seqs it already has announced as evicted, or miss the new ones).
        long mqttThrough = (await ReadingSeqsAsync(buffer))[10];
        await buffer.AcknowledgeAsync("mqtt", RecordKind.Telemetry, mqttThrough, CancellationToken.None);
        Assert.Equal([first], await buffer.ReadEvictionsAsync(0, CancellationToken.None));
        await FillUntilEvictedAsync(buffer, evictionsWanted: 1, start: 100_000);

        IReadOnlyList<EvictedRange> ranges = await buffer.ReadEvictionsAsync(0, CancellationToken.None);
        Assert.Equal(2, ranges.Count);
        Assert.Equal(first, ranges[0]);
        Assert.True(ranges[1].FromSeq > first.ToSeq);
        Assert.Equal((await ReadingSeqsAsync(buffer))[0] - 1, ranges[1].ToSeq);
        Assert.Equal([ranges[1]], await buffer.ReadEvictionsAsync(mqttThrough, CancellationToken.None));
    }

    /// <summary>Appends telemetry until <paramref name="evictionsWanted"/> commits evicted; returns the first seq appended.</summary>
    private static async Task<long> FillUntilEvictedAsync(SqliteDurableBuffer buffer, int evictionsWanted, int start)
    {
        long first = 0;
        int evictions = 0;
        long dropped = buffer.GetStatistics().DroppedTelemetry;
        for (int batch = 0; evictions < evictionsWanted; batch++)
        {
            Assert.True(batch < 2_000, "the cap was never reached");
            long seq = await buffer.AppendAsync(TelemetryBatch(start + (batch * 100), 100, padding: 150), CancellationToken.None);
            first = first == 0 ? seq : first;
            long now = buffer.GetStatistics().DroppedTelemetry;
            if (now > dropped)
            {
                evictions++;
                dropped = now;
            }
        }

        return first;
    }
}
