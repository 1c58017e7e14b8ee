namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>
/// <c>${file:PATH}</c>: a secret kept in a file of its own (mode 0600, owned by the service user) rather than in the
/// environment. Unlike the environment, which systemd fixes when the service starts, the file is read again on every
/// reload, so a rotated broker password is applied by <c>systemctl reload</c>. Only a regular file is read, at most
/// <see cref="MaxBytes"/> + 1 bytes of it, without ever blocking (<see cref="RegularFile"/>).
/// </summary>
public static class SecretFile
{
    public const string Prefix = "file:";

    /// <summary>Secrets are short; a bigger file is a wrong path (a log, a binary), not a password.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The file's text without one trailing line break (editors and <c>echo</c> add it), or null and a reason.</summary>
    public static string? Read(string path, string baseDirectory, out string? error)
    {
        error = null;
        if (path.Length == 0)
        {
            error = "'${file:}' names no file (write ${file:/etc/smartcity-edge/mqtt-password})";
            return null;
        }

        string fullPath = Path.GetFullPath(path, baseDirectory);
        if (!RegularFile.TryRead(fullPath, "secret file", MaxBytes, out byte[]? bytes, out error))
        {
            return null;
        }

        if (!StrictUtf8.TryDecode(bytes, out string? text, out Utf8Error invalid))
        {
            error = $"secret file '{fullPath}' {invalid.Describe()}";
            return null;
        }

        return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
            : text.EndsWith('\n') ? text[..^1]
            : text;
    }
}
