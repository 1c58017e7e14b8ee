using System.Globalization;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

/// <summary>
/// The birth/death sequence number (bdSeq, §5.2, tck-id-topics-nbirth-bdseq-increment): 0 on a node's very first
/// connect, then +1 for every MQTT CONNECT, 255 wrapping to 0, persisted in <c>data_dir</c> so a restart continues the
/// count (hosts match an NDEATH to the session it ends by it; a library that restarts at 0 breaks them).
/// </summary>
/// <remarks>
/// The number is written before the CONNECT that carries it in its Will: a Will registered with it may fire later, so
/// once the broker may have seen the CONNECT the number is used. When the attempt failed before any CONNECT went out
/// (no TCP connection, TLS refused) <see cref="Release"/> gives it back, because the TCK expects exactly +1 between two
/// CONNECTs (sparkplug#421). The file is replaced atomically (written, flushed to disk, renamed over the old one): a
/// kill -9 leaves the old or the new number, never a torn one. The rename itself is not flushed (.NET cannot fsync a
/// directory), so a power cut right after it can bring the previous number back once.
/// </remarks>
internal sealed class SparkplugBdSeqStore
{
    public const string FileName = "sparkplug-bdseq";

    private readonly string _path;
    private readonly ILogger _logger;
    private long? _last;
    private long? _beforeReserve;
    private bool _writeFailing;

    public SparkplugBdSeqStore(string dataDirectory, ILogger logger)
    {
        _path = Path.Combine(dataDirectory, FileName);
        _logger = logger;
        _last = Load();
    }

    /// <summary>The last bdSeq used (persisted), or null when this node never connected.</summary>
    public long? Last => _last;

    /// <summary>The bdSeq of the next CONNECT, persisted before it is returned.</summary>
    public long Reserve()
    {
        _beforeReserve = _last;
        long next = _last is { } last ? (last + 1) & 0xFF : 0;
        _last = next;
        Save(next);
        return next;
    }

    /// <summary>The CONNECT with the reserved number never reached the network: the next attempt uses it again.</summary>
    public void Release()
    {
        _last = _beforeReserve;
        Save(_last);
    }

    private long? Load()
    {
        try
        {
            if (!File.Exists(_path))
            {
                return null;
            }

            string text = File.ReadAllText(_path).Trim();
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value is >= 0 and <= 255)
            {
                return value;
            }

            SparkplugLog.BdSeqUnreadable(_logger, _path, "it does not hold a number from 0 to 255");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            SparkplugLog.BdSeqUnreadable(_logger, _path, ex.Message);
        }

        return null;
    }

    private void Save(long? value)
    {
        string temp = _path + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            if (value is null)
            {
                File.Delete(_path);
            }
            else
            {
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    stream.Write(System.Text.Encoding.ASCII.GetBytes(value.Value.ToString(CultureInfo.InvariantCulture) + "\n"));
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, _path, overwrite: true);
            }

            _writeFailing = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Connecting anyway beats publishing nothing: the cost is a bdSeq that may repeat after the next restart.
            if (!_writeFailing)
            {
                SparkplugLog.BdSeqNotSaved(_logger, _path, ex.Message);
            }

            _writeFailing = true;
        }
    }
}
