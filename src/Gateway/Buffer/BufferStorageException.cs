namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// The durable buffer could not read or write its database. The message names the file and says what to do;
/// <see cref="Error"/> classifies the failure and <see cref="SqliteErrorCode"/> keeps SQLite's result code.
/// </summary>
public sealed class BufferStorageException : Exception
{
    public BufferStorageException(BufferStorageError error, string databasePath, string message, int sqliteErrorCode, Exception? innerException)
        : base(message, innerException)
    {
        Error = error;
        DatabasePath = databasePath;
        SqliteErrorCode = sqliteErrorCode;
    }

    public BufferStorageError Error { get; }

    public string DatabasePath { get; }

    /// <summary>SQLite's (extended) result code, or 0 when the failure did not come from SQLite.</summary>
    public int SqliteErrorCode { get; }
}
