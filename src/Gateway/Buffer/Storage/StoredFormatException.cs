namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// A stored frame, tag table or alarm record cannot be decoded: the file was damaged (or written by something else).
/// Scoped to that record: the others are still readable.
/// </summary>
public sealed class StoredFormatException(string message) : Exception(message);
