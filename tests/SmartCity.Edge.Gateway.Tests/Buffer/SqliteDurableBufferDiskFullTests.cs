using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Tests.Integration;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

/// <summary>
/// A really full volume (a small tmpfs filled by another file), not <c>max_page_count</c>: the buffer says so once,
/// alarm and audit records still commit into the released reserve, telemetry waits, nothing committed is lost, and
/// telemetry resumes when space returns.
/// </summary>
public sealed class SqliteDurableBufferDiskFullTests
{
    private const int DiskFullEventId = 3050;
    private const int SpaceBackEventId = 3051;
    private const long Reserve = 1L << 20;

    [Fact]
    public async Task VolumeFilledByAnotherFile_AlarmsAndAuditStillCommit_TelemetryResumesWhenSpaceReturns()
    {
        using SmallFilesystem volume = SmallFilesystem.Mount(sizeMiB: 6);
        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using var buffer = new SqliteDurableBuffer(
            new BufferOptions { DataDirectory = volume.Path, MaxDiskBytes = 64L << 20, DiskReserveBytes = Reserve }, logger, TimeProvider.System);
        Assert.Equal(Reserve, new FileInfo(Path.Combine(volume.Path, "buffer.db.reserve")).Length);
        Assert.Equal(Reserve, buffer.GetStatistics().DiskReserveBytes);

        long committedBefore = 0;
        for (int i = 0; i < 10; i++)
        {
            await buffer.AppendAsync(TelemetryBatch(i * 100, 100, padding: 100), CancellationToken.None);
            committedBefore += 100;
        }

        volume.Fill("runaway.log");

        // Telemetry until the database must grow: SQLITE_FULL, said once however often it is retried.
        BufferStorageException full = null!;
        for (int batch = 0; full is null; batch++)
        {
            Assert.True(batch < 10_000, "the volume never reported full");
            try
            {
                await buffer.AppendAsync(TelemetryBatch(100_000 + (batch * 100), 100, padding: 100), CancellationToken.None);
                committedBefore += 100;
            }
            catch (BufferStorageException ex)
            {
                full = ex;
            }
        }

        Assert.Equal(BufferStorageError.DiskFull, full.Error);
        for (int retry = 0; retry < 20; retry++)
        {
            BufferStorageException again = await Assert.ThrowsAsync<BufferStorageException>(async () => await buffer.AppendAsync(TelemetryBatch(0, 100, padding: 100), CancellationToken.None));
            Assert.Equal(BufferStorageError.DiskFull, again.Error);
        }

        Assert.Single(logger.WithEventId(DiskFullEventId));
        Assert.True(buffer.GetStatistics().DiskFull);
        Assert.Equal(0, buffer.GetStatistics().DiskReserveBytes);
        Assert.False(File.Exists(Path.Combine(volume.Path, "buffer.db.reserve")));

        // Alarm transitions and audit records commit into the space the reserve gave back, telemetry retried in between.
        var alarmSeqs = new List<long>();
        for (int i = 0; i < 200; i++)
        {
            alarmSeqs.Add(await buffer.AppendAsync([Alarm(i, padding: 200)], CancellationToken.None));
            await buffer.AppendAsync([AuditEntry(i)], CancellationToken.None);
            await Assert.ThrowsAsync<BufferStorageException>(async () => await buffer.AppendAsync(TelemetryBatch(0, 10), CancellationToken.None));
        }

        Assert.Equal(alarmSeqs, (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
        Assert.Equal(200, (await ReadAllAsync(buffer, RecordKind.Audit)).Count);
        Assert.Equal(committedBefore, (await ReadingSeqsAsync(buffer)).Count);

        // What is held keeps being forwarded: acknowledging (deleting) works on the full volume.
        await buffer.AcknowledgeAsync(BufferOptions.DefaultUpstream, RecordKind.Alarm, alarmSeqs[^1], CancellationToken.None);
        Assert.Empty(await ReadAllAsync(buffer, RecordKind.Alarm));

        // Space returns: the reserve is written again and telemetry commits.
        File.Delete(Path.Combine(volume.Path, "runaway.log"));
        long seq = await buffer.AppendAsync(TelemetryBatch(0, 100, padding: 100), CancellationToken.None);
        Assert.True(seq > alarmSeqs[^1]);
        Assert.False(buffer.GetStatistics().DiskFull);
        Assert.Equal(Reserve, buffer.GetStatistics().DiskReserveBytes);
        Assert.Equal(Reserve, new FileInfo(Path.Combine(volume.Path, "buffer.db.reserve")).Length);
        Assert.Single(logger.WithEventId(SpaceBackEventId));
        Assert.Single(logger.WithEventId(DiskFullEventId));
        Assert.Equal(committedBefore + 100, (await ReadingSeqsAsync(buffer)).Count);
    }

    [Fact]
    public async Task Open_VolumeAlreadyTooFullForTheReserve_StartsDiskFullAndAlarmsStillCommit()
    {
        using SmallFilesystem volume = SmallFilesystem.Mount(sizeMiB: 4);
        // Room for the database to be created, not for a 2 MiB reserve.
        WriteZeros(Path.Combine(volume.Path, "runaway.log"), volume.FreeBytes - (1L << 20));

        var logger = new CollectingLogger<SqliteDurableBuffer>();
        await using var buffer = new SqliteDurableBuffer(
            new BufferOptions { DataDirectory = volume.Path, MaxDiskBytes = 64L << 20, DiskReserveBytes = 2L << 20 }, logger, TimeProvider.System);

        Assert.True(buffer.GetStatistics().DiskFull);
        Assert.Single(logger.WithEventId(DiskFullEventId));
        Assert.False(File.Exists(Path.Combine(volume.Path, "buffer.db.reserve")));
        await Assert.ThrowsAsync<BufferStorageException>(async () => await buffer.AppendAsync(TelemetryBatch(0, 10), CancellationToken.None));
        long alarm = await buffer.AppendAsync([Alarm(1)], CancellationToken.None);
        Assert.Equal([alarm], (await ReadAllAsync(buffer, RecordKind.Alarm)).Select(r => r.Seq));
    }

    private static void WriteZeros(string path, long bytes)
    {
        byte[] block = new byte[64 * 1024];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (long written = 0; written < bytes; written += block.Length)
        {
            file.Write(block, 0, (int)Math.Min(block.Length, bytes - written));
        }
    }
}
