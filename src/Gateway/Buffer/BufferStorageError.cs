namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>Why the buffer's storage failed; decides what a technician has to do.</summary>
public enum BufferStorageError
{
    /// <summary>The disk (or SQLite's page limit) has no room; committed records are kept, appends resume when space frees.</summary>
    DiskFull,

    /// <summary>Reading or writing the file failed at the operating-system level (I/O error, read-only medium).</summary>
    IoError,

    /// <summary>The database file is damaged. At open it is moved aside automatically; at run time a restart does that.</summary>
    Corrupt,

    /// <summary>Another process holds the buffer (a second gateway on the same data_dir).</summary>
    InUse,

    /// <summary>The file or directory cannot be opened or created (permissions, missing mount).</summary>
    CannotOpen,

    /// <summary>The database was written by a newer gateway version with an unknown schema.</summary>
    UnsupportedSchema,

    /// <summary>Any other SQLite failure.</summary>
    Other,
}
