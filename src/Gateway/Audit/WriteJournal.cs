using System.Buffers.Binary;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;

namespace SmartCity.Edge.Gateway.Audit;

/// <summary>
/// Operator writes in progress, each a small file in <c>{data_dir}/writes-in-progress/</c> made durable right before
/// the write goes to the device and deleted once its outcome is in the audit trail (and, for a signed write, its
/// token in the replay store). A file still there at start is a write the gateway sent and then stopped without
/// recording (kill -9, power cut): it becomes an <c>interrupted</c> audit record, and its token is used up so the
/// broker's redelivery of the command is refused as a replay instead of writing the device a second time.
/// </summary>
/// <remarks>
/// A file rather than a buffer row: the record must be durable before the device is touched, without waiting for the
/// buffer's batched writer, and writes are rare (one fsync of a few hundred bytes each). File format 1:
/// <c>"SCWJ"</c>, version byte 1, the token's expiry (Unix ms, int64 little-endian, 0 for none), then the
/// <see cref="AuditRecordCodec"/> bytes of the record to publish if the write is interrupted.
/// </remarks>
internal sealed class WriteJournal
{
    public const string FolderName = "writes-in-progress";
    private const string Extension = ".write";
    private const int HeaderLength = 4 + 1 + 8;

    /// <summary>Far above any record a write makes (its texts are bounded by the command's limits); a bigger file is not ours.</summary>
    private const long MaxFileBytes = 64 * 1024;
    private static ReadOnlySpan<byte> Magic => "SCWJ"u8;

    private readonly string _directory;

    public WriteJournal(string dataDirectory)
    {
        _directory = Path.Combine(dataDirectory, FolderName);
        Directory.CreateDirectory(_directory);

        // Taken now, before this run starts any write: what is here is the previous run's.
        Leftovers = Directory.GetFiles(_directory, "*" + Extension).Order(StringComparer.Ordinal).ToArray();

        // A temp file was never renamed into place, so its write was never sent.
        foreach (string temp in Directory.GetFiles(_directory, "*.tmp"))
        {
            File.Delete(temp);
        }
    }

    /// <summary>The folder holding the files.</summary>
    public string DirectoryPath => _directory;

    /// <summary>Files left by the previous run, oldest first: each a write sent and never recorded.</summary>
    public IReadOnlyList<string> Leftovers { get; }

    /// <summary>
    /// Makes the write durable as in progress: <paramref name="interrupted"/> is the audit record published if the
    /// gateway stops before <see cref="WriteJournalEntry.Complete"/>. Throws <see cref="IOException"/> when the file
    /// cannot be written (full disk); the caller decides whether to write the device all the same.
    /// </summary>
    public WriteJournalEntry Begin(AuditRecord interrupted, DateTimeOffset tokenExpires)
    {
        byte[] record = AuditRecordCodec.Encode(interrupted);
        byte[] bytes = new byte[HeaderLength + record.Length];
        Magic.CopyTo(bytes);
        bytes[4] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(5), tokenExpires == default ? 0 : tokenExpires.ToUnixTimeMilliseconds());
        record.CopyTo(bytes.AsSpan(HeaderLength));

        // Named by time, so leftovers are recovered in the order they were sent.
        string name = $"{DateTime.UtcNow.Ticks:D19}-{Guid.NewGuid():N}";
        string path = Path.Combine(_directory, name + Extension);
        string temp = Path.Combine(_directory, name + ".tmp");
        using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path);
        DirectorySync.Flush(_directory);
        return new WriteJournalEntry(path);
    }

    /// <summary>Reads a leftover file; false with the reason when it is damaged.</summary>
    public static bool TryRead(string path, out AuditRecord? record, out DateTimeOffset tokenExpires, out string? damage)
    {
        record = null;
        tokenExpires = default;
        damage = null;
        byte[] bytes;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
            {
                damage = $"{length} bytes, more than a write's record can take ({MaxFileBytes})";
                return false;
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            damage = ex.Message;
            return false;
        }

        if (bytes.Length < HeaderLength || !bytes.AsSpan(0, 4).SequenceEqual(Magic) || bytes[4] != 1)
        {
            damage = $"not a write journal file of format 1 ({bytes.Length} bytes)";
            return false;
        }

        long expires = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(5));
        try
        {
            record = AuditRecordCodec.Decode(bytes.AsSpan(HeaderLength), seq: 0);
            tokenExpires = expires == 0 ? default : DateTimeOffset.FromUnixTimeMilliseconds(expires);
            return true;
        }
        catch (Exception ex) when (ex is StoredFormatException or ArgumentOutOfRangeException)
        {
            damage = ex.Message;
            return false;
        }
    }
}
