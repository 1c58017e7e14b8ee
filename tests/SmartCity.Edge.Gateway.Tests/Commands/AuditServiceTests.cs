using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Tests.Buffer;
using static SmartCity.Edge.Gateway.Tests.Buffer.BufferTestData;

namespace SmartCity.Edge.Gateway.Tests.Commands;

/// <summary>The audit trail's entry against a real buffer: committed with its seq before it returns, and a full disk answered all the same.</summary>
public sealed class AuditServiceTests
{
    private const int WrittenEventId = 1550;
    private const int StoreFailedEventId = 1552;

    [Fact]
    public async Task Record_CommittedToTheBuffer_ReturnsItWithItsSeqOnDiskInTheLogAndOnTheStatusPage()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        var trail = new AuditTrail();
        var logger = new CollectingLogger<AuditService>();
        var service = new AuditService(buffer, trail, logger);

        AuditRecord recorded = await service.RecordAsync(AuditRecordOf(1) with { Timestamp = Timestamp.AddTicks(1234) }, CancellationToken.None);

        Assert.Equal(1, recorded.Seq);
        Assert.Equal(Timestamp, recorded.Timestamp); // kept to the millisecond, as stored and published
        Assert.Equal([recorded], await buffer.ReadAuditAsync(0, 10, CancellationToken.None));
        Assert.Equal([recorded], trail.Recent());
        Assert.EndsWith("; seq 1", Assert.Single(logger.WithEventId(WrittenEventId)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_DiskFull_ReturnsWithoutSeq_LoggedAsNotStored_StillOnTheStatusPage_NextOneStoredOnceThereIsRoom()
    {
        using var dir = new TempDataDirectory();
        await using SqliteDurableBuffer buffer = Open(dir.Path);
        var trail = new AuditTrail();
        var logger = new CollectingLogger<AuditService>();
        var service = new AuditService(buffer, trail, logger);

        // The database may not grow by a page: a record with a long reason needs several (a real SQLITE_FULL).
        await buffer.SetMaxPageCountAsync(1);
        AuditRecord lost = await service.RecordAsync(AuditRecordOf(2, padding: 100_000), CancellationToken.None);

        Assert.Equal(0, lost.Seq);
        Assert.Empty(await buffer.ReadAuditAsync(0, 10, CancellationToken.None));
        Assert.Equal([lost], trail.Recent());
        LogEntry error = Assert.Single(logger.WithEventId(StoreFailedEventId));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("could not store the audit record of a write plc/door by alice (ok) in the durable buffer", error.Message, StringComparison.Ordinal);

        await buffer.SetMaxPageCountAsync(1L << 30);
        Assert.Equal(1, (await service.RecordAsync(AuditRecordOf(3), CancellationToken.None)).Seq);
    }
}
