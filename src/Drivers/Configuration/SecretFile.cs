namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>
/// <c>${file:PATH}</c>: a secret kept in a file of its own (mode 0600, owned by the service user) rather than in the
/// environment. Unlike the environment, which systemd fixes when the service starts, the file is read again on every
/// reload, so a rotated broker password is applied by <c>systemctl reload</c>.
/// </summary>
internal static class SecretFile
{
    public const string Prefix = "file:";

    /// <summary>Secrets are short; a bigger file is a wrong path (a log, a binary), not a password.</summary>
    private const int MaxBytes = 64 * 1024;

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
        try
        {
            var info = new FileInfo(fullPath);
            if (!info.Exists)
            {
                error = $"secret file '{fullPath}' does not exist";
                return null;
            }

            if (info.Length > MaxBytes)
            {
                error = $"secret file '{fullPath}' is {info.Length} bytes; a secret file holds at most {MaxBytes} (wrong path?)";
                return null;
            }

            string text = File.ReadAllText(fullPath);
            return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
                : text.EndsWith('\n') ? text[..^1]
                : text;
        }
        catch (UnauthorizedAccessException)
        {
            error = $"secret file '{fullPath}' cannot be read by this user (give the service user read access, e.g. chown smartcity-edge and chmod 600)";
            return null;
        }
        catch (IOException ex)
        {
            error = $"secret file '{fullPath}' cannot be read: {ex.Message}";
            return null;
        }
    }
}
