using System.Text;
using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>
/// The seq high-water mark outside buffer.db (<see cref="SeqHighWaterMark"/>): seq never goes back, also when the
/// database is damaged, deleted, or the mark itself is.
/// </summary>
public sealed class SqliteDurableBufferSeqMarkTests
{
    private const int MovedAsideEventId = 3004;
    private const int MovedAsideWithoutMarkEventId = 3040;
    private const int MarkRewrittenEventId = 3041;
    private const int DatabaseMissingEventId = 3042;

    [Fact]
    public async Task Open_DamagedDatabase_SeqContinuesAboveTheMarkAndLogSaysWhere()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 500), CancellationToken.None);
            await buffer.AppendAsync([Alarm(1)], CancellationToken.None);
        }

        long mark = ReadMark(path);
        Assert.True(mark >= 501);
        OverwriteWithGarbage(path);

        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using (SqliteDurableBuffer reopened = Open(dir.Path, logger: logger))
        {
            LogEntry logged = Assert.Single(logger.WithEventId(MovedAsideEventId));
            Assert.Contains(reopened.MovedAsidePath!, logged.Message);
            Assert.Contains($"seq continues from {mark + 1}", logged.Message);
            Assert.Contains(path + SeqHighWaterMark.Suffix, logged.Message);
            Assert.Equal(mark + 1, await reopened.AppendAsync([Alarm(2)], CancellationToken.None));
        }

        // The new file records where seqs stand itself: the next restart continues without another gap.
        await using SqliteDurableBuffer again = Open(dir.Path);
        Assert.Equal(mark + 2, await again.AppendAsync([Telemetry(3)], CancellationToken.None));
    }

    [Fact]
    public async Task Open_DatabaseDeletedByHand_SeqContinuesAboveTheMark()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 20), CancellationToken.None);
        }

        long mark = ReadMark(path);
        File.Delete(path);

        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using SqliteDurableBuffer reopened = Open(dir.Path, logger: logger);
        Assert.Contains($"seq continues from {mark + 1}", Assert.Single(logger.WithEventId(DatabaseMissingEventId)).Message);
        Assert.Equal(mark + 1, await reopened.AppendAsync([Telemetry(1)], CancellationToken.None));
    }

    [Fact]
    public async Task Open_HealthyDatabase_SeqContinuesWithoutGapAndMarkIsNotWrittenPerCommit()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            Assert.Equal(SeqHighWaterMark.Block, ReadMark(path));
            DateTime written = File.GetLastWriteTimeUtc(path + SeqHighWaterMark.Suffix);
            for (int i = 0; i < 50; i++)
            {
                await buffer.AppendAsync([Telemetry(i)], CancellationToken.None);
            }

            // Still the reservation made at open: commits below it never touch the file.
            Assert.Equal(SeqHighWaterMark.Block, ReadMark(path));
            Assert.Equal(written, File.GetLastWriteTimeUtc(path + SeqHighWaterMark.Suffix));
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path);
        Assert.Equal(51, await reopened.AppendAsync([Telemetry(51)], CancellationToken.None));
        Assert.Equal(SeqHighWaterMark.Block, ReadMark(path));
    }

    [Fact]
    public async Task Append_PastTheMark_MarkMovesAheadBeforeTheCommitReturns()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        await using SqliteDurableBuffer buffer = Open(dir.Path);

        long last = 0;
        while (last <= SeqHighWaterMark.Block)
        {
            last = await buffer.AppendAsync([Frame(0, 30_000)], CancellationToken.None) + 30_000 - 1;
        }

        Assert.Equal(last + SeqHighWaterMark.Block, ReadMark(path));
    }

    [Fact]
    public async Task Open_MarkBehindTheDatabase_DatabaseWinsAndMarkIsRaised()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 30), CancellationToken.None);
        }

        File.WriteAllBytes(path + SeqHighWaterMark.Suffix, SeqHighWaterMark.Format(7));

        await using SqliteDurableBuffer reopened = Open(dir.Path);
        Assert.Equal(31, await reopened.AppendAsync([Telemetry(31)], CancellationToken.None));
        Assert.Equal(30 + SeqHighWaterMark.Block, ReadMark(path));
    }

    public static TheoryData<string, byte[]> DamagedMarks => new()
    {
        { "garbage", Encoding.ASCII.GetBytes("not a mark at all\n") },
        { "torn", Encoding.ASCII.GetBytes("smartcity-edge-seq-mark 1 123") },
        { "copies differ", Encoding.ASCII.GetBytes("smartcity-edge-seq-mark 1 123 124\n") },
        { "negative", Encoding.ASCII.GetBytes("smartcity-edge-seq-mark 1 -5 -5\n") },
        { "above 2^53", Encoding.ASCII.GetBytes("smartcity-edge-seq-mark 1 9007199254740992 9007199254740992\n") },
        { "overflow", Encoding.ASCII.GetBytes("smartcity-edge-seq-mark 1 99999999999999999999 99999999999999999999\n") },
        { "future version", Encoding.ASCII.GetBytes("smartcity-edge-seq-mark 2 5 5\n") },
        { "binary", [0x00, 0xFF, 0x10, 0x0A] },
        { "two lines", Encoding.ASCII.GetBytes("smartcity-edge-seq-mark 1 5 5\nsmartcity-edge-seq-mark 1 5 5\n") },
        { "oversized", Encoding.ASCII.GetBytes(new string('9', 1 << 20)) },
        { "empty", [] },
    };

    [Theory]
    [MemberData(nameof(DamagedMarks))]
    public void Parse_DamagedContent_IsDamagedNeverAValue(string name, byte[] content)
    {
        SeqMarkReading reading = SeqHighWaterMark.Parse(content);
        Assert.True(reading.Status == SeqMarkStatus.Damaged, name);
        Assert.False(string.IsNullOrEmpty(reading.Problem));
    }

    [Fact]
    public void Parse_WhatFormatWrites_ReadsTheSameValue()
    {
        Assert.Equal(SeqMarkReading.Valid(0), SeqHighWaterMark.Parse(SeqHighWaterMark.Format(0)));
        Assert.Equal(SeqMarkReading.Valid(SeqHighWaterMark.MaxValue), SeqHighWaterMark.Parse(SeqHighWaterMark.Format(SeqHighWaterMark.MaxValue)));
    }

    [Theory]
    [MemberData(nameof(DamagedMarks))]
    public async Task Open_DamagedMarkHealthyDatabase_DatabaseSaysWhereSeqStandsAndMarkIsRewritten(string name, byte[] content)
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 40), CancellationToken.None);
        }

        File.WriteAllBytes(path + SeqHighWaterMark.Suffix, content);

        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using SqliteDurableBuffer reopened = Open(dir.Path, logger: logger);
        Assert.Contains("seq continues from 41", Assert.Single(logger.WithEventId(MarkRewrittenEventId)).Message);
        Assert.Equal(41, await reopened.AppendAsync([Telemetry(41)], CancellationToken.None));
        Assert.True(ReadMark(path) >= 41, name);
    }

    [Fact]
    public void Open_MarkIsADirectory_TreatedAsDamaged()
    {
        using var dir = new TempDataDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "buffer.db" + SeqHighWaterMark.Suffix));

        BufferStorageException error = Assert.Throws<BufferStorageException>(() => Open(dir.Path));
        Assert.Contains("is a directory", error.Message);
    }

    [Fact]
    public async Task Open_DamagedDatabaseAndDamagedMark_RefusesUntilTheMarkIsFixedAndNeverRestartsAtOne()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 40), CancellationToken.None);
        }

        OverwriteWithGarbage(path);
        File.WriteAllBytes(path + SeqHighWaterMark.Suffix, Encoding.ASCII.GetBytes("smartcity-edge-seq-mark 1 12"));

        for (int attempt = 0; attempt < 2; attempt++)
        {
            // Refused on every start, not only the first: the damaged file was moved aside, the empty one is no answer.
            BufferStorageException error = Assert.Throws<BufferStorageException>(() => Open(dir.Path));
            Assert.Equal(BufferStorageError.Corrupt, error.Error);
            Assert.Contains(path + SeqHighWaterMark.Suffix, error.Message);
            Assert.Contains("smartcity-edge-seq-mark 1 N N", error.Message);
        }

        Assert.Single(Directory.GetFiles(dir.Path, "buffer.db.corrupt-*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));

        // The technician writes a number above what receivers saw, as the message says.
        File.WriteAllText(path + SeqHighWaterMark.Suffix, "smartcity-edge-seq-mark 1 5000 5000\n");
        await using SqliteDurableBuffer reopened = Open(dir.Path);
        Assert.Equal(5001, await reopened.AppendAsync([Telemetry(1)], CancellationToken.None));
    }

    [Fact]
    public async Task Open_DamagedDatabaseWithoutMark_LogsThatSeqRestarts()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("this is not an SQLite database. ", 500))));

        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using SqliteDurableBuffer buffer = Open(dir.Path, logger: logger);
        Assert.Contains("seq restarts at 1", Assert.Single(logger.WithEventId(MovedAsideWithoutMarkEventId)).Message);
        Assert.Empty(logger.WithEventId(MovedAsideEventId));
    }

    private static long ReadMark(string databasePath)
    {
        SeqMarkReading reading = SeqHighWaterMark.Read(databasePath + SeqHighWaterMark.Suffix);
        Assert.Equal(SeqMarkStatus.Valid, reading.Status);
        return reading.Value;
    }

    private static void OverwriteWithGarbage(string path)
    {
        foreach (string suffix in (ReadOnlySpan<string>)["-wal", "-shm"])
        {
            File.Delete(path + suffix);
        }

        File.WriteAllBytes(path, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("overwritten while stopped. ", 800))));
    }
}
