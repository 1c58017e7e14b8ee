namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// The sizes of the database, its WAL and its shared-memory index as the file system reports them.
/// </summary>
/// <remarks>
/// Sizes come from <c>stat</c> by path (<see cref="FileInfo.Refresh"/>): never open a descriptor on SQLite's files
/// from this process, because closing any descriptor of a file drops every POSIX lock the process holds on it,
/// SQLite's included (https://sqlite.org/howtocorrupt.html §2.2). The three <see cref="FileInfo"/> objects are
/// reused, so measuring after every commit allocates nothing.
/// </remarks>
internal sealed class BufferFiles
{
    private readonly FileInfo _database;
    private readonly FileInfo _wal;
    private readonly FileInfo _shm;

    public BufferFiles(string databasePath)
    {
        _database = new FileInfo(databasePath);
        _wal = new FileInfo(databasePath + "-wal");
        _shm = new FileInfo(databasePath + "-shm");
    }

    /// <summary>Bytes of the database file after the last <see cref="Measure"/>.</summary>
    public long DatabaseBytes { get; private set; }

    /// <summary>Bytes of the <c>-wal</c> file after the last <see cref="Measure"/> (0 when absent).</summary>
    public long WalBytes { get; private set; }

    /// <summary>Bytes of the <c>-shm</c> file after the last <see cref="Measure"/> (0 when absent).</summary>
    public long ShmBytes { get; private set; }

    /// <summary>The sum of the three after the last <see cref="Measure"/>.</summary>
    public long TotalBytes => DatabaseBytes + WalBytes + ShmBytes;

    /// <summary>Reads the three sizes again and returns their sum.</summary>
    public long Measure()
    {
        DatabaseBytes = SizeOf(_database);
        WalBytes = SizeOf(_wal);
        ShmBytes = SizeOf(_shm);
        return TotalBytes;
    }

    private static long SizeOf(FileInfo file)
    {
        file.Refresh();
        try
        {
            return file.Exists ? file.Length : 0;
        }
        catch (FileNotFoundException)
        {
            // Deleted between the stat and the read of its length (the WAL at the last close): it takes no space.
            return 0;
        }
    }
}
