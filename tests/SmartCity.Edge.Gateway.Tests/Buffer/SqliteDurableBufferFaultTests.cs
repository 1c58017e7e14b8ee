using SmartCity.Edge.Gateway.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

public sealed class SqliteDurableBufferFaultTests
{
    private const int CorruptMovedAsideEventId = 3004;
    private const int CorruptMovedAsideWithoutMarkEventId = 3040;

    [Fact]
    public async Task Append_DiskFull_ThrowsTypedErrorKeepsCommittedRecordsAndRecoversWhenSpaceFrees()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 100), CancellationToken.None);
            await buffer.AppendAsync([Alarm(1), Alarm(2)], CancellationToken.None);

            // SQLite cannot shrink the limit below the current size, so asking for 1 page pins it at the current size:
            // the next page the database needs makes SQLite fail with a real SQLITE_FULL.
            long pages = await buffer.SetMaxPageCountAsync(1);
            Assert.True(pages > 1);
            BufferStorageException error = await Assert.ThrowsAsync<BufferStorageException>(
                async () => await buffer.AppendAsync(TelemetryBatch(100, 2000, padding: 200), CancellationToken.None));

            Assert.Equal(BufferStorageError.DiskFull, error.Error);
            Assert.Equal(13, error.SqliteErrorCode & 0xFF);
            Assert.Contains(dir.Path, error.Message);
            Assert.Contains("Free space", error.Message);
            Assert.Equal(buffer.DatabasePath, error.DatabasePath);

            BufferStatistics statistics = buffer.GetStatistics();
            Assert.Equal(102, statistics.LastSeq);
            Assert.Equal(100, statistics.TelemetryCount);
            Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), (await ReadAllAsync(buffer, RecordKind.Telemetry)).Select(r => r.Seq));

            // Space frees: the same append now succeeds and seqs continue where the committed ones ended.
            await buffer.SetMaxPageCountAsync(1L << 30);
            Assert.Equal(103, await buffer.AppendAsync(TelemetryBatch(100, 2000, padding: 200), CancellationToken.None));
        }

        await using SqliteDurableBuffer reopened = Open(dir.Path);
        Assert.Equal(2100, reopened.GetStatistics().TelemetryCount);
        Assert.Equal(2, reopened.GetStatistics().AlarmCount);
        Assert.Equal(2102, reopened.GetStatistics().LastSeq);
    }

    [Fact]
    public async Task Open_FileIsNotADatabase_MovesItAsideLogsAndStartsFresh()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        byte[] garbage = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("this is not an SQLite database. ", 500)));
        File.WriteAllBytes(path, garbage);
        var logger = new CollectingLogger<SqliteDurableBuffer>();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 3, 4, 5, TimeSpan.Zero));

        await using SqliteDurableBuffer buffer = Open(dir.Path, logger: logger, timeProvider: time);

        string movedTo = path + ".corrupt-20261125T030405Z";
        Assert.Equal(garbage, File.ReadAllBytes(movedTo));
        // No seq high-water mark beside it (a data_dir from before marks): the log says seq restarts.
        LogEntry logged = Assert.Single(logger.WithEventId(CorruptMovedAsideWithoutMarkEventId));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, logged.Level);
        Assert.Contains(movedTo, logged.Message);
        Assert.Equal(0, buffer.GetStatistics().LastSeq);
        Assert.Equal(1, await buffer.AppendAsync([Alarm(1)], CancellationToken.None));
    }

    [Fact]
    public async Task Open_DamagedTablePage_MovesItAsideAndStartsFresh()
    {
        using var dir = new TempDataDirectory();
        string path = Path.Combine(dir.Path, "buffer.db");
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 2000), CancellationToken.None);
        }

        // Overwrite the frames table's root page with bytes that are no b-tree page. (Its number depends on the
        // layout: with auto-vacuum, page 2 is a pointer-map page, so ask the schema.)
        long rootPage;
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using Microsoft.Data.Sqlite.SqliteCommand query = connection.CreateCommand();
            query.CommandText = "SELECT rootpage FROM sqlite_schema WHERE name = 'frames';";
            rootPage = (long)query.ExecuteScalar()!;
        }

        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = (rootPage - 1) * 4096;
            file.Write(Enumerable.Repeat((byte)0xEE, 4096).ToArray());
        }

        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using SqliteDurableBuffer reopened = Open(dir.Path, logger: logger);

        Assert.Single(logger.WithEventId(CorruptMovedAsideEventId));
        Assert.Single(Directory.GetFiles(dir.Path, "buffer.db.corrupt-*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
        Assert.Equal(0, reopened.GetStatistics().TelemetryCount);
        // seq goes on above the high-water mark kept outside the damaged file (reserved at the first open).
        Assert.Equal(SeqHighWaterMark.Block + 1, await reopened.AppendAsync([Telemetry(1)], CancellationToken.None));
    }

    [Fact]
    public async Task Open_HealthyDatabase_IsNeverMovedAside()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync(TelemetryBatch(0, 10), CancellationToken.None);
        }

        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using SqliteDurableBuffer reopened = Open(dir.Path, logger: logger);

        Assert.Empty(Directory.GetFiles(dir.Path, "*corrupt*"));
        Assert.Empty(logger.WithEventId(CorruptMovedAsideEventId));
        Assert.Equal(10, reopened.GetStatistics().TelemetryCount);
    }

    [Fact]
    public async Task Open_SameDataDirectoryTwice_ThrowsInUseAndLeavesTheFileAlone()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer first = Open(dir.Path);
        await first.AppendAsync([Telemetry(1)], CancellationToken.None);

        BufferStorageException error = Assert.Throws<BufferStorageException>(() => Open(dir.Path));

        Assert.Equal(BufferStorageError.InUse, error.Error);
        Assert.Contains("data_dir", error.Message);
        Assert.Empty(Directory.GetFiles(dir.Path, "*corrupt*"));
        Assert.Equal(2, await first.AppendAsync([Telemetry(2)], CancellationToken.None));
    }

    [Fact]
    public async Task Open_SchemaFromNewerVersion_ThrowsUnsupportedSchemaAndKeepsTheFile()
    {
        using var dir = new TempDataDirectory();
        await using (SqliteDurableBuffer buffer = Open(dir.Path))
        {
            await buffer.AppendAsync([Alarm(1)], CancellationToken.None);
        }

        string path = Path.Combine(dir.Path, "buffer.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using Microsoft.Data.Sqlite.SqliteCommand command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            command.ExecuteNonQuery();
        }

        BufferStorageException error = Assert.Throws<BufferStorageException>(() => Open(dir.Path));

        Assert.Equal(BufferStorageError.UnsupportedSchema, error.Error);
        Assert.Contains("newer gateway", error.Message);
        Assert.True(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*corrupt*"));
    }

    [Fact]
    public void Open_DataDirectoryIsAFile_ThrowsCannotOpenNamingIt()
    {
        using var dir = new TempDataDirectory();
        string notADirectory = Path.Combine(dir.Path, "data");
        File.WriteAllText(notADirectory, "a file where data_dir should be");

        BufferStorageException error = Assert.Throws<BufferStorageException>(() => Open(notADirectory));

        Assert.Equal(BufferStorageError.CannotOpen, error.Error);
        Assert.Contains(notADirectory, error.Message);
        Assert.Contains("data_dir", error.Message);
    }

    [Theory]
    [InlineData("", BufferOptions.DefaultMaxDiskBytes, "buffer.db", "gateway.data_dir")]
    [InlineData("/tmp/x", 1000, "buffer.db", "buffer.max_disk")]
    [InlineData("/tmp/x", BufferOptions.DefaultMaxDiskBytes, "a/b.db", "plain file name")]
    public void Constructor_InvalidOptions_ThrowsNamingTheKey(string directory, long maxDisk, string fileName, string expected)
    {
        var options = new BufferOptions { DataDirectory = directory, MaxDiskBytes = maxDisk, DatabaseFileName = fileName };

        ArgumentException error = Assert.Throws<ArgumentException>(
            () => new SqliteDurableBuffer(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<SqliteDurableBuffer>.Instance, TimeProvider.System));

        Assert.Contains(expected, error.Message);
    }
}
