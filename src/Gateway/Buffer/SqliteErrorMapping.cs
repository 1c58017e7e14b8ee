using Microsoft.Data.Sqlite;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>Maps SQLite result codes (https://sqlite.org/rescode.html) to <see cref="BufferStorageException"/> with a technician's message.</summary>
internal static class SqliteErrorMapping
{
    // Primary result codes; extended codes carry the primary one in their low byte (rescode.html §"Primary Result Code List").
    public const int SqliteBusy = 5;
    public const int SqliteLocked = 6;
    public const int SqliteReadOnly = 8;
    public const int SqliteIoError = 10;
    public const int SqliteCorrupt = 11;
    public const int SqliteFull = 13;
    public const int SqliteCantOpen = 14;
    public const int SqliteNotADatabase = 26;
    public const int SqlitePermission = 3;

    public static int PrimaryCode(SqliteException exception) => exception.SqliteErrorCode & 0xFF;

    /// <summary>True for the codes that mean the file's content is damaged (not the disk or the permissions).</summary>
    public static bool IsCorruption(SqliteException exception) => PrimaryCode(exception) is SqliteCorrupt or SqliteNotADatabase;

    public static BufferStorageException ToStorageException(SqliteException exception, string databasePath, string operation)
    {
        int code = exception.SqliteExtendedErrorCode != 0 ? exception.SqliteExtendedErrorCode : exception.SqliteErrorCode;
        string directory = Path.GetDirectoryName(Path.GetFullPath(databasePath)) ?? databasePath;
        (BufferStorageError error, string advice) = PrimaryCode(exception) switch
        {
            SqliteFull => (BufferStorageError.DiskFull,
                $"the disk holding '{directory}' is full. Free space on that volume or lower buffer.max_disk below the free space; " +
                "records already committed are kept and appending resumes as soon as space is available"),
            SqliteIoError => (BufferStorageError.IoError,
                $"the operating system reported an I/O error on '{databasePath}'. Check the storage medium (dmesg, SD card/SSD health) " +
                "and that the volume is mounted read-write; records committed before are kept"),
            SqliteReadOnly => (BufferStorageError.IoError,
                $"'{databasePath}' or its directory is read-only. Make '{directory}' writable for the gateway's user or remount the volume read-write"),
            SqliteCorrupt or SqliteNotADatabase => (BufferStorageError.Corrupt,
                $"'{databasePath}' is damaged. Restart the gateway: at open it moves the damaged file aside as '{Path.GetFileName(databasePath)}.corrupt-<time>' " +
                "and starts a new buffer (keep the moved file for analysis)"),
            SqliteBusy or SqliteLocked => (BufferStorageError.InUse,
                $"'{databasePath}' is locked by another process. Make sure only one gateway uses data_dir '{directory}'"),
            SqliteCantOpen or SqlitePermission => (BufferStorageError.CannotOpen,
                $"cannot open or create '{databasePath}'. Check that '{directory}' exists on a mounted volume and is writable for the gateway's user"),
            _ => (BufferStorageError.Other,
                $"SQLite failed on '{databasePath}'. If this repeats, stop the gateway and keep the data_dir for analysis"),
        };

        return new BufferStorageException(error, databasePath, $"Buffer {operation} failed: {advice} (SQLite error {code}: {exception.Message})", code, exception);
    }
}
