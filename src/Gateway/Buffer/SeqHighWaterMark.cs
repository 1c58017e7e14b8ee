using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// <c>{buffer.db}.seqmark</c>: a seq no committed record has exceeded, kept OUTSIDE the database so that seq goes on
/// above it when the database is lost (moved aside as damaged, deleted by hand) instead of restarting at 1, which a
/// receiver that drops by highest seq would take for old data (docs/upstream.md).
/// </summary>
/// <remarks>
/// Reserved in blocks: before a commit hands out a seq above the mark, the mark moves to that seq +
/// <see cref="Block"/>, so the file is written once per <see cref="Block"/> seqs, not per commit (the hot path costs a
/// comparison). Written atomically: a temporary file is written and flushed, renamed over the mark, and the directory
/// flushed, so a kill or power cut leaves the old or the new mark, never a torn or lost one. One ASCII line,
/// <c>smartcity-edge-seq-mark 1 VALUE VALUE</c>: the value twice, so a damaged or hand-edited file is told from a
/// valid one (<see cref="Read"/>).
/// </remarks>
internal sealed class SeqHighWaterMark
{
    /// <summary>Seqs reserved per write of the file.</summary>
    public const long Block = 100_000;

    /// <summary>The largest seq the file may hold: above it a JSON receiver using doubles loses precision (2^53 - 1).</summary>
    public const long MaxValue = (1L << 53) - 1;

    public const string Suffix = ".seqmark";

    private const string Magic = "smartcity-edge-seq-mark";
    private const int FormatVersion = 1;
    private const int MaxFileBytes = 128;

    private readonly string _directory;

    public SeqHighWaterMark(string path, long value)
    {
        Path = path;
        Value = value;
        _directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
    }

    public string Path { get; }

    /// <summary>No committed seq is above it (0: no mark written yet).</summary>
    public long Value { get; private set; }

    /// <summary>What the file at <paramref name="path"/> says.</summary>
    public static SeqMarkReading Read(string path)
    {
        byte[] content;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return Directory.Exists(path) ? SeqMarkReading.Damaged("it is a directory") : SeqMarkReading.Missing;
            }

            if (info.Length > MaxFileBytes)
            {
                return SeqMarkReading.Damaged($"it holds {info.Length} bytes, more than a mark ever takes ({MaxFileBytes})");
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            content = new byte[MaxFileBytes + 1];
            int length = 0;
            int read;
            while (length < content.Length && (read = stream.Read(content, length, content.Length - length)) > 0)
            {
                length += read;
            }

            if (length > MaxFileBytes)
            {
                return SeqMarkReading.Damaged($"it holds more than {MaxFileBytes} bytes");
            }

            Array.Resize(ref content, length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return SeqMarkReading.Damaged($"it cannot be read ({ex.Message})");
        }

        return Parse(content);
    }

    /// <summary>Parses the file's bytes; anything but one well-formed line is damaged.</summary>
    public static SeqMarkReading Parse(ReadOnlySpan<byte> content)
    {
        foreach (byte b in content)
        {
            if (b is not ((>= 0x20 and < 0x7F) or (byte)'\n'))
            {
                return SeqMarkReading.Damaged("it holds bytes other than printable ASCII");
            }
        }

        string text = Encoding.ASCII.GetString(content);
        if (!text.EndsWith('\n') || text.IndexOf('\n') != text.Length - 1)
        {
            return SeqMarkReading.Damaged("it is not one complete line");
        }

        string[] fields = text[..^1].Split(' ');
        if (fields.Length != 4 || fields[0] != Magic)
        {
            return SeqMarkReading.Damaged($"it does not read '{Magic} {FormatVersion} VALUE VALUE'");
        }

        if (fields[1] != FormatVersion.ToString(CultureInfo.InvariantCulture))
        {
            return SeqMarkReading.Damaged($"its format version '{fields[1]}' is not {FormatVersion}");
        }

        if (!long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out long check)
            || value != check)
        {
            return SeqMarkReading.Damaged("its value and check copy are not the same number");
        }

        return value > MaxValue
            ? SeqMarkReading.Damaged($"its value {value} is above the largest seq ({MaxValue})")
            : SeqMarkReading.Valid(value);
    }

    /// <summary>The file's content for <paramref name="value"/>.</summary>
    public static byte[] Format(long value) =>
        Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Magic} {FormatVersion} {value} {value}\n"));

    /// <summary>Makes the mark cover <paramref name="lastSeq"/> and the next <see cref="Block"/> seqs, durably, before returning.</summary>
    /// <exception cref="BufferStorageException">The file could not be written; the mark is unchanged.</exception>
    public void Reserve(long lastSeq)
    {
        long value = Math.Min(lastSeq + Block, MaxValue);
        string temp = Path + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(Format(value));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, Path, overwrite: true);
            DirectorySync.Flush(_directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            bool full = ex is IOException io && (io.HResult & 0xFFFF) == 28; // ENOSPC
            throw new BufferStorageException(full ? BufferStorageError.DiskFull : BufferStorageError.IoError, Path,
                $"Buffer write failed: the seq high-water mark '{Path}' could not be written ({ex.Message}); nothing was committed. " +
                (full ? "Free space in data_dir." : "Make data_dir writable."),
                0, ex);
        }

        Value = value;
    }
}
