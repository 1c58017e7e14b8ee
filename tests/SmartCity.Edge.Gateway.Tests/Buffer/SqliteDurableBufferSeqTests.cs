using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

public sealed class SqliteDurableBufferSeqTests
{
    [Fact]
    public async Task Append_Batches_GetConsecutiveSeqsInListOrder()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);

        long first = await buffer.AppendAsync([Telemetry(0), Alarm(1), Telemetry(2)], CancellationToken.None);
        long second = await buffer.AppendAsync([Telemetry(3), Telemetry(4)], CancellationToken.None);

        Assert.Equal(1, first);
        Assert.Equal(4, second);
        List<StoredRecord> telemetry = await ReadAllAsync(buffer, RecordKind.Telemetry);
        List<StoredRecord> alarms = await ReadAllAsync(buffer, RecordKind.Alarm);
        Assert.Equal([1L, 3, 4, 5], telemetry.Select(r => r.Seq));
        Assert.Equal([2L], alarms.Select(r => r.Seq));
        Assert.Equal(BodyOf(Telemetry(2)), telemetry[1].Body);
        Assert.Equal(BodyOf(Alarm(1)), alarms[0].Body);
        Assert.All(alarms, r => Assert.Equal(RecordKind.Alarm, r.Kind));
        Assert.Equal(5, buffer.GetStatistics().LastSeq);
    }

    [Fact]
    public async Task Append_Frames_TakeOneSeqPerReadingAsAContiguousRange()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);

        long first = await buffer.AppendAsync([Frame(0, 5), Alarm(9), Frame(10, 3, "dev-2")], CancellationToken.None);
        long next = await buffer.AppendAsync([Frame(20, 1)], CancellationToken.None);

        Assert.Equal((1, 10), (first, next));
        List<StoredRecord> frames = await ReadAllAsync(buffer, RecordKind.Telemetry);
        Assert.Equal([(1L, 5L), (7, 9), (10, 10)], frames.Select(f => (f.Seq, f.LastSeq)));
        Assert.Equal("t0=10;t1=11;t2=12", frames[1].Body);
        Assert.Equal("dev-2", frames[1].DeviceId);
        Assert.Equal([6L], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(a => a.Seq));
        BufferStatistics statistics = buffer.GetStatistics();
        Assert.Equal((9, 3, 1, 10), (statistics.TelemetryCount, statistics.TelemetryFrames, statistics.AlarmCount, statistics.LastSeq));
    }

    [Fact]
    public async Task Append_AfterReopen_ContinuesAboveLastSeq()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            Assert.Equal(1, await buffer.AppendAsync(TelemetryBatch(0, 10), CancellationToken.None));
        }

        await using (SqliteDurableBuffer reopened = Open(dir.Path))
        {
            BufferStatistics statistics = reopened.GetStatistics();
            Assert.Equal(10, statistics.LastSeq);
            Assert.Equal(10, statistics.TelemetryCount);
            Assert.Equal(11, await reopened.AppendAsync([Alarm(1)], CancellationToken.None));
            Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), (await ReadAllAsync(reopened, RecordKind.Telemetry)).Select(r => r.Seq));
        }
    }

    [Fact]
    public async Task Append_AfterEverythingDeletedAndReopen_DoesNotReuseSeqs()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 5), CancellationToken.None);
            await buffer.AppendAsync([Alarm(5), Alarm(6)], CancellationToken.None);
            await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, 7, CancellationToken.None);
            await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Alarm, 7, CancellationToken.None);
            Assert.Equal(0, buffer.GetStatistics().TelemetryCount + buffer.GetStatistics().AlarmCount);
        }

        await using (SqliteDurableBuffer reopened = Open(dir.Path))
        {
            Assert.Equal(7, reopened.GetStatistics().LastSeq);
            Assert.Equal(8, await reopened.AppendAsync([Telemetry(8)], CancellationToken.None));
        }
    }

    [Fact]
    public async Task Append_ConcurrentProducers_GetDisjointIncreasingSeqsAndNothingIsLost()
    {
        const int Producers = 4;
        const int BatchesPerProducer = 40;
        const int BatchSize = 50;
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);

        var firstSeqs = new List<long>[Producers];
        Task[] producers = Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            firstSeqs[p] = new List<long>();
            for (int b = 0; b < BatchesPerProducer; b++)
            {
                BufferEntry[] batch = Enumerable.Range(0, BatchSize).Select(i => Entry(p, b, i)).ToArray();
                firstSeqs[p].Add(await buffer.AppendAsync(batch, CancellationToken.None));
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(PassingTimeout);

        // Each producer sees its own batches in increasing order, and no two batches overlap.
        foreach (List<long> seqs in firstSeqs)
        {
            Assert.Equal(seqs.Order(), seqs);
        }

        long[] allFirsts = firstSeqs.SelectMany(s => s).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, Producers * BatchesPerProducer).Select(i => 1 + (long)i * BatchSize), allFirsts);

        // Every record is there exactly once, with the body it was given at its seq.
        List<StoredRecord> all = (await ReadAllAsync(buffer, RecordKind.Telemetry)).Concat(await ReadAllAsync(buffer, RecordKind.Alarm)).OrderBy(r => r.Seq).ToList();
        Assert.Equal(Enumerable.Range(1, Producers * BatchesPerProducer * BatchSize).Select(i => (long)i), all.Select(r => r.Seq));
        for (int p = 0; p < Producers; p++)
        {
            for (int b = 0; b < BatchesPerProducer; b++)
            {
                long first = firstSeqs[p][b];
                for (int i = 0; i < BatchSize; i++)
                {
                    StoredRecord record = all[(int)(first - 1) + i];
                    Assert.Equal($"producer-{p}", record.DeviceId);
                    Assert.Equal(BodyOf(Entry(p, b, i)), record.Body);
                    Assert.Equal(i % 10 == 0 ? RecordKind.Alarm : RecordKind.Telemetry, record.Kind);
                }
            }
        }

        BufferStatistics statistics = buffer.GetStatistics();
        Assert.Equal(Producers * BatchesPerProducer * BatchSize, statistics.LastSeq);
        Assert.Equal(Producers * BatchesPerProducer * BatchSize / 10, statistics.AlarmCount);
        Assert.Equal(Producers * BatchesPerProducer * BatchSize * 9 / 10, statistics.TelemetryCount);
    }

    [Fact]
    public async Task Append_CallsQueuedDuringACommit_ShareTheNextCommit()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);

        // A large first batch keeps the writer busy while ten more calls queue up behind it.
        ValueTask<long> large = buffer.AppendAsync(TelemetryBatch(0, 50_000), CancellationToken.None);
        ValueTask<long>[] small = Enumerable.Range(0, 10).Select(i => buffer.AppendAsync([Alarm(i)], CancellationToken.None)).ToArray();
        long first = await large;
        var smallFirsts = new List<long>();
        foreach (ValueTask<long> call in small)
        {
            smallFirsts.Add(await call);
        }

        Assert.Equal(1, first);
        Assert.Equal(Enumerable.Range(50_001, 10).Select(i => (long)i), smallFirsts);
        Assert.True(buffer.CommitCount <= 3, $"{buffer.CommitCount} commits for 11 calls: the queued calls were not coalesced");
        Assert.Equal(10, buffer.GetStatistics().AlarmCount);
    }

    [Fact]
    public async Task Append_InvalidEntries_ThrowArgumentExceptionAndCommitNothing()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);

        await Assert.ThrowsAsync<ArgumentException>(async () => await buffer.AppendAsync([], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await buffer.AppendAsync([Telemetry(1), default], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await buffer.AppendAsync([BufferEntry.Frame(Table(), ReadOnlyMemory<byte>.Empty, 1)], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await buffer.AppendAsync([BufferEntry.Frame(Table(), new byte[] { 1 }, 0)], CancellationToken.None));

        Assert.Equal(0, buffer.GetStatistics().LastSeq);
        Assert.Equal(1, await buffer.AppendAsync([Telemetry(1)], CancellationToken.None));
    }

    private static BufferEntry Entry(int producer, int batch, int i) => i % 10 == 0
        ? Alarm(producer * 100_000 + batch * 100 + i, $"producer-{producer}")
        : Frame($"producer-{producer}", Drivers.TagReading.Good(i % 7, Drivers.TagValue.FromString($"batch {batch} i {i}"), Timestamp));
}
