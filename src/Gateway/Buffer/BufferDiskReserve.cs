namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// A file of <c>buffer.disk_reserve</c> zero bytes beside the database (<c>buffer.db.reserve</c>), written out block by
/// block so the file system really allocates it. When the volume fills up (SQLITE_FULL) the buffer deletes it: the space
/// it held is what alarm transitions, audit records, the forwarder's deletes and <c>alarms.db</c> still commit into while
/// telemetry waits. It is written again once the volume has that much room, and only then does telemetry resume, so
/// telemetry never eats the space kept for alarms.
/// </summary>
/// <remarks>
/// A file, not a share of SQLite's own pages (<c>max_page_count</c>): an alarm commit needs room in the write-ahead log and
/// possibly new database pages, and another file in <c>data_dir</c> (the alarm state) needs room too; only free space on
/// the volume serves all of them. Zeros are written rather than <c>fallocate</c>d or truncated to length, which would
/// leave a sparse file holding nothing on file systems without preallocation (and tmpfs counts only written pages).
/// </remarks>
internal sealed class BufferDiskReserve
{
    private const int BlockBytes = 64 * 1024;

    private static readonly byte[] s_zeros = new byte[BlockBytes];

    public BufferDiskReserve(string path, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Path = path;
        Bytes = bytes;
    }

    /// <summary>Where the reserve lives: the database's path + <c>.reserve</c>.</summary>
    public string Path { get; }

    /// <summary>The configured size (0: no reserve).</summary>
    public long Bytes { get; }

    /// <summary>True while the reserve file holds its full size on disk (always true for a size of 0).</summary>
    public bool IsHeld { get; private set; }

    /// <summary>
    /// Makes sure the reserve file holds <see cref="Bytes"/> bytes. Returns false, leaving no partial file behind, when
    /// the volume has not that much room (or the file cannot be written); the reason is in <paramref name="failure"/>.
    /// </summary>
    public bool TryHold(out string? failure)
    {
        failure = null;
        if (Bytes == 0 || IsHeld)
        {
            IsHeld = true;
            return true;
        }

        try
        {
            using (var file = new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                for (long written = 0; written < Bytes; written += BlockBytes)
                {
                    file.Write(s_zeros, 0, (int)Math.Min(BlockBytes, Bytes - written));
                }

                file.Flush(flushToDisk: true);
            }

            IsHeld = true;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex.Message;
            TryDelete();
            return false;
        }
    }

    /// <summary>Deletes the reserve file, giving its space to whatever needs it next. Returns the bytes given back.</summary>
    public long Release()
    {
        bool wasHeld = IsHeld && Bytes > 0;
        IsHeld = Bytes == 0;
        TryDelete();
        return wasHeld ? Bytes : 0;
    }

    private void TryDelete()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind: the next TryHold rewrites it from the start.
        }
    }
}
