namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// How <c>buffer.max_disk</c> is shared between the three files SQLite keeps on disk: the write-ahead log
/// (<c>-wal</c>), its shared-memory index (<c>-shm</c>) and the database file itself, which holds the records.
/// </summary>
/// <remarks>
/// The WAL and its index get a fixed reserve; the records get the rest (<see cref="DataBytes"/>), which is where
/// eviction starts. Eviction cannot make room in the WAL (deleting rows writes WAL frames too), so the WAL's share is
/// set aside up front rather than counted against the records after the fact. The WAL stays inside its reserve
/// because a checkpoint starts once it holds half of it (<c>wal_autocheckpoint</c>), leaving the other half for the
/// transaction that crosses the mark, and <c>journal_size_limit</c> truncates the file back to the reserve when the
/// log restarts (https://sqlite.org/pragma.html#pragma_journal_size_limit, https://sqlite.org/wal.html#ckpt).
/// </remarks>
internal sealed record BufferDiskBudget
{
    /// <summary>The WAL gets this share of max_disk …</summary>
    public const int WalShareDivisor = 8;

    /// <summary>… but at least this much, so a typical group commit (up to 2,000 readings, a few hundred KiB at most) fits twice.</summary>
    public const long MinWalBytes = 256L * 1024;

    /// <summary>… and at most this much: SQLite's default checkpoint interval (1,000 pages) needs only half of it.</summary>
    public const long MaxWalBytes = 8L << 20;

    /// <summary>SQLite's default <c>wal_autocheckpoint</c>; large caps keep it, small ones checkpoint sooner.</summary>
    public const int DefaultAutoCheckpointPages = 1000;

    /// <summary>Each WAL frame is a 24-byte header plus one page (https://sqlite.org/fileformat2.html#walformat).</summary>
    public const int WalFrameHeaderBytes = 24;

    /// <summary>The <c>-shm</c> file grows in 32 KiB blocks, each indexing up to 4,096 WAL frames (the first one 4,062).</summary>
    public const long ShmBlockBytes = 32L * 1024;

    public const int FramesPerShmBlock = 4062;

    private BufferDiskBudget(long maxDiskBytes, long pageSize, long walBytes, int autoCheckpointPages, long shmBytes)
    {
        MaxDiskBytes = maxDiskBytes;
        PageSize = pageSize;
        WalBytes = walBytes;
        AutoCheckpointPages = autoCheckpointPages;
        ShmBytes = shmBytes;
        DataBytes = maxDiskBytes - walBytes - shmBytes;
        DataPages = DataBytes / pageSize;
    }

    /// <summary><c>buffer.max_disk</c>: the cap on database + WAL + shm bytes on disk.</summary>
    public long MaxDiskBytes { get; }

    public long PageSize { get; }

    /// <summary>Reserve of the WAL; also its <c>journal_size_limit</c>. A WAL above it after a commit is checkpointed and truncated.</summary>
    public long WalBytes { get; }

    /// <summary><c>wal_autocheckpoint</c>: half the WAL reserve in frames, at most SQLite's default.</summary>
    public int AutoCheckpointPages { get; }

    /// <summary>Reserve of the <c>-shm</c> index: enough blocks to index twice the WAL reserve, plus one.</summary>
    public long ShmBytes { get; }

    /// <summary>What is left for the database file, i.e. for the records: eviction of the oldest telemetry starts here.</summary>
    public long DataBytes { get; }

    /// <summary><see cref="DataBytes"/> in whole pages: the most pages the database file may have after a commit.</summary>
    public long DataPages { get; }

    /// <summary>The budget for a cap of <paramref name="maxDiskBytes"/> and a database of <paramref name="pageSize"/>-byte pages.</summary>
    public static BufferDiskBudget For(long maxDiskBytes, long pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDiskBytes, BufferOptions.MinMaxDiskBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 512);

        long walBytes = Math.Clamp(maxDiskBytes / WalShareDivisor, MinWalBytes, MaxWalBytes);
        long frameBytes = pageSize + WalFrameHeaderBytes;
        int autoCheckpointPages = (int)Math.Clamp(walBytes / 2 / frameBytes, 1, DefaultAutoCheckpointPages);
        long walFrames = walBytes / frameBytes;
        long shmBytes = ShmBlockBytes * (1 + ((2 * walFrames) + FramesPerShmBlock - 1) / FramesPerShmBlock);
        return new BufferDiskBudget(maxDiskBytes, pageSize, walBytes, autoCheckpointPages, shmBytes);
    }
}
