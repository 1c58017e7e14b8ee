using Microsoft.Data.Sqlite;
using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>
/// <c>max_disk</c> caps the files SQLite really keeps on disk (database + WAL + shm), measured with stat on real
/// files, and a drained buffer gives its free pages back.
/// </summary>
public sealed class SqliteDurableBufferDiskCapTests
{
    private const int ConvertedEventId = 3006;
    private const int ConversionDeferredEventId = 3007;
    private const int SpaceReclaimedEventId = 3008;
    private const long TwoMiB = 2L << 20;
    private const long FourMiB = 4L << 20;

    [Fact]
    public async Task Append_FillingPastASmallCap_FilesOnDiskNeverExceedMaxDisk()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path, TwoMiB);
        var budget = BufferDiskBudget.For(TwoMiB, 4096);
        long[] alarmSeqs = Enumerable.Range(0, 3).Select(i => (long)i).ToArray();
        long firstAlarm = await buffer.AppendAsync([Alarm(1), Alarm(2), Alarm(3)], CancellationToken.None);

        // A sampler stats the three files all the time, so sizes in the middle of a commit or a checkpoint count too.
        using var sampler = new FileSizeSampler(buffer.DatabasePath);
        long appended = 0;
        long maxAfterAppend = 0;
        long recordsAtFirstEviction = 0;
        for (int batch = 0; recordsAtFirstEviction == 0 || appended < 3 * recordsAtFirstEviction; batch++)
        {
            Assert.True(batch < 2_000, "the cap was never reached");
            await buffer.AppendAsync(TelemetryBatch(batch * 100, 100, padding: 150), CancellationToken.None);
            appended += 100;
            long onDisk = DiskBytes(buffer.DatabasePath);
            maxAfterAppend = Math.Max(maxAfterAppend, onDisk);
            Assert.True(onDisk <= TwoMiB, $"after append {batch}: {Describe(buffer.DatabasePath)} exceed max_disk {TwoMiB}");

            // Each file inside its own share too: the database within the records' share, the WAL within its reserve.
            Assert.True(SizeOf(buffer.DatabasePath) <= budget.DataBytes, $"after append {batch}: {Describe(buffer.DatabasePath)}, records' share {budget.DataBytes}");
            Assert.True(SizeOf(buffer.DatabasePath + "-wal") <= budget.WalBytes, $"after append {batch}: {Describe(buffer.DatabasePath)}, WAL reserve {budget.WalBytes}");
            if (recordsAtFirstEviction == 0 && buffer.GetStatistics().DroppedTelemetry > 0)
            {
                recordsAtFirstEviction = appended;
            }
        }

        (long maxSampled, long samples) = await sampler.StopAsync();
        BufferStatistics statistics = buffer.GetStatistics();
        Assert.True(samples > 10, $"only {samples} samples were taken");
        Assert.True(maxSampled <= TwoMiB, $"sampled {maxSampled} bytes on disk while appending, max_disk {TwoMiB}");

        // Eviction really ran (the cap was reached, then the buffer cycled twice more), and near the cap: the files
        // are not kept small by some other means.
        Assert.True(statistics.DroppedTelemetry > appended / 2);
        Assert.True(maxAfterAppend > TwoMiB * 3 / 4, $"the files never came near the cap ({maxAfterAppend} bytes)");
        Assert.Equal(appended, statistics.DroppedTelemetry + statistics.TelemetryCount);
        Assert.True(statistics.UsedBytes <= statistics.CapacityBytes);
        Assert.Equal(DiskBytes(buffer.DatabasePath), statistics.DiskBytes);
        Assert.Equal(alarmSeqs.Select(i => firstAlarm + i), (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
    }

    [Fact]
    public async Task Append_OneTransactionLargerThanHalfTheWalReserve_WalIsTruncatedBeforeTheAppendReturns()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path, TwoMiB);
        var budget = BufferDiskBudget.For(TwoMiB, 4096);

        // 2,000 readings of ~250 bytes: ~500 KiB of pages in one commit, twice the 256 KiB WAL reserve of a 2 MiB cap.
        await buffer.AppendAsync(TelemetryBatch(0, 2000, padding: 170), CancellationToken.None);

        long wal = new FileInfo(buffer.DatabasePath + "-wal").Length;
        Assert.True(wal <= budget.WalBytes, $"WAL is {wal} bytes after the append, reserve {budget.WalBytes}");
        Assert.True(DiskBytes(buffer.DatabasePath) <= TwoMiB, Describe(buffer.DatabasePath));
        Assert.Equal(2000, buffer.GetStatistics().TelemetryCount);
    }

    [Fact]
    public async Task Acknowledge_DrainAfterFillingToTheCap_FileShrinksInBoundedStepsAndAlarmsStay()
    {
        using var dir = new TempDataDirectory();
        var logger = new CollectingLogger<SqliteDurableBuffer>();
        string path;
        long alarmFirst;
        long appendedAfterDrain;
        await using (SqliteDurableBuffer buffer = Open(dir.Path, FourMiB, logger))
        {
            path = buffer.DatabasePath;
            alarmFirst = await buffer.AppendAsync([Alarm(1), Alarm(2)], CancellationToken.None);
            for (int batch = 0; buffer.GetStatistics().DroppedTelemetry == 0; batch++)
            {
                Assert.True(batch < 2_000, "the cap was never reached");
                await buffer.AppendAsync(TelemetryBatch(batch * 100, 100, padding: 150), CancellationToken.None);
            }

            await buffer.WhenMaintenanceIdleAsync().WaitAsync(PassingTimeout);
            long databaseBefore = new FileInfo(path).Length;
            Assert.True(databaseBefore > FourMiB / 2, $"database file {databaseBefore} bytes: the fill did not reach the cap");
            Assert.Equal(0, buffer.ReclaimSteps);

            // Upstream acknowledged everything: the forwarder deletes through the last seq. An append right after
            // it races the maintenance steps (it must wait for at most one of them, and lose nothing).
            await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, buffer.GetStatistics().LastSeq, CancellationToken.None);
            appendedAfterDrain = await buffer.AppendAsync(TelemetryBatch(0, 10), CancellationToken.None);
            await buffer.WhenMaintenanceIdleAsync().WaitAsync(PassingTimeout);

            long databaseAfter = new FileInfo(path).Length;
            BufferStatistics statistics = buffer.GetStatistics();
            Assert.True(databaseAfter <= 128 * 1024, $"database file still {databaseAfter} bytes after the drain (was {databaseBefore})");
            // The last step empties the WAL; the append above may commit after it and leave its own few frames.
            Assert.True(new FileInfo(path + "-wal").Length <= 64 * 1024, Describe(path));
            Assert.Equal(DiskBytes(path), statistics.DiskBytes);
            Assert.True(statistics.DiskBytes < statistics.UsedBytes + (128 * 1024), $"{statistics.DiskBytes} on disk for {statistics.UsedBytes} in use");

            // Bounded: one step per 256 free pages (1 MiB), plus the one that finds the last.
            long maxSteps = (databaseBefore / 4096 / 256) + 2;
            Assert.InRange(buffer.ReclaimSteps, 1, maxSteps);
            LogEntry reclaimed = Assert.Single(logger.WithEventId(SpaceReclaimedEventId));
            Assert.True((long)reclaimed.Value("ReleasedBytes")! > databaseBefore / 2);

            Assert.Equal([alarmFirst, alarmFirst + 1], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => appendedAfterDrain + i), (await ReadAllAsync(buffer, RecordKind.Telemetry)).Select(r => r.Seq));
        }

        // The moved pages are consistent: SQLite's own check passes and a reopen sees the same records.
        Assert.Equal("ok", QueryScalar(path, "PRAGMA integrity_check;"));
        await using SqliteDurableBuffer reopened = Open(dir.Path, FourMiB);
        Assert.Equal(2, reopened.GetStatistics().AlarmCount);
        Assert.Equal(10, reopened.GetStatistics().TelemetryCount);
    }

    [Fact]
    public async Task Open_OlderDatabaseWithoutAutoVacuumAndFewRecords_IsConvertedOnceAndKeepsItsRecords()
    {
        using var dir = new TempDataDirectory();
        string path = await CreateDatabaseWithoutAutoVacuumAsync(dir.Path, records: 500);
        Assert.Equal(0L, QueryScalar(path, "PRAGMA auto_vacuum;"));
        var logger = new CollectingLogger<SqliteDurableBuffer>();

        await using (SqliteDurableBuffer buffer = Open(dir.Path, FourMiB, logger))
        {
            Assert.Single(logger.WithEventId(ConvertedEventId));
            Assert.Equal(500, buffer.GetStatistics().TelemetryCount);
            Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), (await ReadAllAsync(buffer, RecordKind.Telemetry)).Select(r => r.Seq));

            // Converted for real: a drain now gives the space back.
            await buffer.AppendAsync(TelemetryBatch(500, 6000, padding: 150), CancellationToken.None);
            await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, buffer.GetStatistics().LastSeq, CancellationToken.None);
            await buffer.WhenMaintenanceIdleAsync().WaitAsync(PassingTimeout);
            Assert.True(buffer.ReclaimSteps > 0);
            Assert.True(new FileInfo(path).Length <= 64 * 1024, $"database file {new FileInfo(path).Length} bytes after the drain");
        }

        Assert.Equal(2L, QueryScalar(path, "PRAGMA auto_vacuum;"));
        await using SqliteDurableBuffer reopened = Open(dir.Path, FourMiB, logger);
        Assert.Single(logger.WithEventId(ConvertedEventId));
        Assert.Equal(6500, reopened.GetStatistics().LastSeq);
    }

    [Fact]
    public async Task Open_OlderDatabaseWithoutAutoVacuumAndManyRecords_IsLeftAsItIsAndStillEvictsAtTheCap()
    {
        using var dir = new TempDataDirectory();
        string path = await CreateDatabaseWithoutAutoVacuumAsync(dir.Path, records: 3000);
        var logger = new CollectingLogger<SqliteDurableBuffer>();

        await using SqliteDurableBuffer buffer = Open(dir.Path, TwoMiB, logger);

        Assert.Single(logger.WithEventId(ConversionDeferredEventId));
        Assert.Empty(logger.WithEventId(ConvertedEventId));
        Assert.Equal(0L, QueryScalar(path, "PRAGMA auto_vacuum;"));
        Assert.Equal(3000, buffer.GetStatistics().TelemetryCount);

        for (int batch = 0; buffer.GetStatistics().DroppedTelemetry == 0; batch++)
        {
            Assert.True(batch < 2_000, "the cap was never reached");
            await buffer.AppendAsync(TelemetryBatch(batch * 100, 100, padding: 150), CancellationToken.None);
        }

        Assert.True(DiskBytes(path) <= TwoMiB, Describe(path));
        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Telemetry, buffer.GetStatistics().LastSeq, CancellationToken.None);
        await buffer.WhenMaintenanceIdleAsync().WaitAsync(PassingTimeout);
        Assert.Equal(0, buffer.ReclaimSteps);
    }

    /// <summary>A database as gateways before auto-vacuum left it: the buffer's schema, records, auto_vacuum=NONE.</summary>
    private static async Task<string> CreateDatabaseWithoutAutoVacuumAsync(string directory, int records)
    {
        string path;
        await using (SqliteDurableBuffer buffer = Open(directory))
        {
            path = buffer.DatabasePath;
            await buffer.AppendAsync(TelemetryBatch(0, records, padding: 150), CancellationToken.None);
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA auto_vacuum=NONE; VACUUM; PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        return path;
    }

    private static object? QueryScalar(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>database + -wal + -shm as the file system reports them (stat only: never open SQLite's files here).</summary>
    private static long DiskBytes(string databasePath) => SizeOf(databasePath) + SizeOf(databasePath + "-wal") + SizeOf(databasePath + "-shm");

    private static string Describe(string databasePath) =>
        $"db {SizeOf(databasePath)} + wal {SizeOf(databasePath + "-wal")} + shm {SizeOf(databasePath + "-shm")} bytes";

    private static long SizeOf(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? file.Length : 0;
    }

    /// <summary>Stats the buffer's files on a thread of its own until stopped; keeps the largest sum seen.</summary>
    private sealed class FileSizeSampler : IDisposable
    {
        private readonly string _databasePath;
        private readonly Thread _thread;
        private readonly TaskCompletionSource<(long Max, long Samples)> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _stop;

        public FileSizeSampler(string databasePath)
        {
            _databasePath = databasePath;
            _thread = new Thread(Run) { IsBackground = true, Name = "file-size-sampler" };
            _thread.Start();
        }

        public Task<(long Max, long Samples)> StopAsync()
        {
            _stop = true;
            return _result.Task.WaitAsync(PassingTimeout);
        }

        public void Dispose() => _stop = true;

        private void Run()
        {
            long max = 0;
            long samples = 0;
            while (!_stop)
            {
                try
                {
                    max = Math.Max(max, DiskBytes(_databasePath));
                    samples++;
                }
                catch (FileNotFoundException)
                {
                    // A file vanished between its stat and its length: that sample is simply skipped.
                }

                Thread.Yield();
            }

            _result.TrySetResult((max, samples));
        }
    }
}
