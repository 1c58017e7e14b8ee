namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// Options of the durable buffer (YAML <c>gateway.data_dir</c> and <c>buffer:</c>): the one record that describes the
/// buffer, from the configuration file to <see cref="SqliteDurableBuffer"/>. Its rules live in <see cref="Validate"/>
/// only: the configuration loader reports each problem at its key's line, and the buffer's constructor refuses
/// options that break them (benchmarks and tests build options directly).
/// </summary>
public sealed record BufferOptions
{
    /// <summary>The upstream of a buffer that is given no list (tests, benchmarks): one cursor.</summary>
    public const string DefaultUpstream = "upstream";

    /// <summary>1 GiB, the documented default of <c>buffer.max_disk</c>.</summary>
    public const long DefaultMaxDiskBytes = 1L << 30;

    /// <summary>
    /// The smallest accepted cap (the YAML loader's minimum too). The write-ahead log and its index take a fixed
    /// reserve of at least 320 KiB (<see cref="BufferDiskBudget"/>); below 1 MiB little would be left for records and
    /// eviction would run on almost every commit.
    /// </summary>
    public const long MinMaxDiskBytes = 1L << 20;

    /// <summary>2 MiB, the default of <c>buffer.disk_reserve</c>: hundreds of alarm transitions, with their write-ahead log frames and alarm state.</summary>
    public const long DefaultDiskReserveBytes = 2L << 20;

    /// <summary>The largest accepted <c>buffer.disk_reserve</c>.</summary>
    public const long MaxDiskReserveBytes = 1L << 30;

    public const string DefaultDatabaseFileName = "buffer.db";

    /// <summary>Directory holding the database (<c>gateway.data_dir</c>); created when missing.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// Cap on the buffer's bytes on disk: database file + write-ahead log + shared-memory index
    /// (<c>buffer.max_disk</c>). The log and index get a fixed reserve (<see cref="BufferDiskBudget"/>); when the
    /// records reach the rest, the oldest telemetry is evicted. Alarms never are, so alarms alone can exceed the cap.
    /// </summary>
    public long MaxDiskBytes { get; init; } = DefaultMaxDiskBytes;

    /// <summary>
    /// Bytes kept free on the data_dir volume for alarm and audit records (<c>buffer.disk_reserve</c>, see
    /// <see cref="BufferDiskReserve"/>); on top of <see cref="MaxDiskBytes"/>. 0: no reserve.
    /// </summary>
    public long DiskReserveBytes { get; init; } = DefaultDiskReserveBytes;

    /// <summary>File name of the database inside <see cref="DataDirectory"/>.</summary>
    public string DatabaseFileName { get; init; } = DefaultDatabaseFileName;

    /// <summary>
    /// The upstreams the records are kept for (<c>mqtt</c>, <c>console</c>, …): each has a cursor in the database, a
    /// record is deleted once every one of them acknowledged it. An upstream new to the file starts with every record
    /// waiting; the cursor of one no longer listed is dropped at open.
    /// </summary>
    public IReadOnlyList<string> Upstreams { get; init; } = [DefaultUpstream];

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, DatabaseFileName);

    /// <summary>Every problem with these options, each naming the YAML key, the value and what is expected; empty when valid.</summary>
    public IReadOnlyList<BufferOptionsProblem> Validate()
    {
        var errors = new List<BufferOptionsProblem>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            errors.Add(new("gateway.data_dir", "must not be empty (directory for the buffer database, e.g. ./data)"));
        }

        if (MaxDiskBytes < MinMaxDiskBytes)
        {
            errors.Add(new("buffer.max_disk", $"{MaxDiskBytes} bytes is too small (at least {MinMaxDiskBytes >> 20}MiB, e.g. 1GiB)"));
        }

        if (DiskReserveBytes < 0 || DiskReserveBytes > MaxDiskReserveBytes)
        {
            errors.Add(new("buffer.disk_reserve", $"{DiskReserveBytes} bytes is out of range (0 to {MaxDiskReserveBytes >> 20}MiB, e.g. 2MiB)"));
        }

        if (string.IsNullOrWhiteSpace(DatabaseFileName)
            || DatabaseFileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0
            || DatabaseFileName.Contains('/')
            || DatabaseFileName is "." or "..")
        {
            errors.Add(new("buffer database file name", $"'{DatabaseFileName}' must be a plain file name (default {DefaultDatabaseFileName})"));
        }

        if (Upstreams is null || Upstreams.Count == 0)
        {
            errors.Add(new("upstream", "the buffer needs at least one upstream to keep records for"));
        }
        else if (Upstreams.Any(u => string.IsNullOrEmpty(u) || u.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))) || Upstreams.Distinct(StringComparer.Ordinal).Count() != Upstreams.Count)
        {
            errors.Add(new("upstream", $"upstream names must be unique and made of letters, digits, '-', '_' and '.' (got {string.Join(", ", Upstreams)})"));
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if any.</summary>
    public void ThrowIfInvalid()
    {
        IReadOnlyList<BufferOptionsProblem> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid buffer options: " + string.Join("; ", errors), "options");
        }
    }
}
