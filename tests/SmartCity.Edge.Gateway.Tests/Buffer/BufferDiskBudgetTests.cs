using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Tests.Buffer;

public sealed class BufferDiskBudgetTests
{
    [Theory]
    // max_disk, expected WAL reserve, expected wal_autocheckpoint (4 KiB pages: 4,120-byte frames)
    [InlineData(1L << 20, 256L * 1024, 31)]       // floor: 1/8 would be 128 KiB
    [InlineData(2L << 20, 256L * 1024, 31)]
    [InlineData(32L << 20, 4L << 20, 509)]        // 1/8
    [InlineData(1L << 30, 8L << 20, 1000)]        // ceiling, SQLite's default checkpoint interval
    [InlineData(64L << 30, 8L << 20, 1000)]
    public void For_Cap_SplitsItIntoWalReserveShmReserveAndRecords(long maxDisk, long expectedWal, int expectedAutoCheckpoint)
    {
        var budget = BufferDiskBudget.For(maxDisk, 4096);

        Assert.Equal(expectedWal, budget.WalBytes);
        Assert.Equal(expectedAutoCheckpoint, budget.AutoCheckpointPages);
        Assert.Equal(maxDisk, budget.WalBytes + budget.ShmBytes + budget.DataBytes);
        Assert.Equal(budget.DataBytes / 4096, budget.DataPages);

        // A checkpoint starts at half the reserve, so the transaction crossing the mark has the other half.
        Assert.True(budget.AutoCheckpointPages * 4120L <= budget.WalBytes / 2);

        // The shm index covers twice the WAL reserve: 32 KiB per 4,062 frames (the first block's share), plus one block.
        long walFrames = budget.WalBytes / 4120;
        Assert.True((budget.ShmBytes / BufferDiskBudget.ShmBlockBytes - 1) * BufferDiskBudget.FramesPerShmBlock >= 2 * walFrames);
        Assert.True(budget.DataBytes >= maxDisk / 2, "records keep most of the cap");
    }

    [Fact]
    public void For_CapBelowTheMinimum_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BufferDiskBudget.For(BufferOptions.MinMaxDiskBytes - 1, 4096));
    }
}
