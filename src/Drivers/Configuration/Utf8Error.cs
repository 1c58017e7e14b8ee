namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Where a text stops being UTF-8: 0-based byte offset, 1-based line and column (in characters).</summary>
/// <param name="LooksLikeUtf16">The text starts with a UTF-16 byte order mark (Windows' "Unicode").</param>
public readonly record struct Utf8Error(long ByteOffset, int Line, int Column, bool LooksLikeUtf16)
{
    /// <summary>How to say it in a problem, without quoting the bytes (they may be a secret's).</summary>
    public string Describe() => LooksLikeUtf16
        ? "is UTF-16 text (saved as \"Unicode\"); save it as UTF-8"
        : $"is not valid UTF-8: invalid byte at line {Line}, column {Column} (byte offset {ByteOffset}); save it as UTF-8";
}
