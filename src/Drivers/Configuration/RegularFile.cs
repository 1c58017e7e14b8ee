using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>
/// Reads a file a configuration names (the configuration itself, a <c>${file:}</c> secret, a PEM certificate or key)
/// without trusting what is at that path: only a regular file is read, never more than its limit + 1 bytes, and
/// nothing blocks. A named pipe would block the open until a writer comes, <c>/dev/zero</c> would be read until
/// memory runs out, a directory would say "access denied", and opening some devices has side effects (a serial
/// port raises DTR): on Linux the type is checked before the open, the open does not wait (<c>O_NONBLOCK</c>), and
/// the type is checked again on the opened descriptor, so a file swapped in between is caught too.
/// </summary>
public static class RegularFile
{
    /// <summary>
    /// Reads <paramref name="fullPath"/>, or says why not. <paramref name="what"/> names the file in messages, e.g.
    /// "secret file"; messages name the path and never quote the contents.
    /// </summary>
    public static bool TryRead(string fullPath, string what, int maxBytes, [NotNullWhen(true)] out byte[]? contents, [NotNullWhen(false)] out string? problem)
    {
        contents = null;
        try
        {
            using SafeFileHandle? handle = OperatingSystem.IsLinux() && LinuxFiles.Available
                ? OpenLinux(fullPath, what, out problem)
                : OpenPortable(fullPath, what, out problem);
            if (handle is null)
            {
                problem ??= $"{what} '{fullPath}' cannot be read";
                return false;
            }

            // limit + 1: one byte past the limit tells "too big" without reading the rest.
            byte[] buffer = new byte[maxBytes + 1];
            int total = 0;
            while (total < buffer.Length)
            {
                int read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            if (total > maxBytes)
            {
                long size = RandomAccess.GetLength(handle);
                problem = $"{what} '{fullPath}' is {(size > maxBytes ? size.ToString(CultureInfo.InvariantCulture) : "more than " + maxBytes.ToString(CultureInfo.InvariantCulture))} bytes; it may hold at most {Limit(maxBytes)} (wrong path?)";
                return false;
            }

            contents = buffer[..total];
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            problem = CannotRead(fullPath, what);
            return false;
        }
        catch (IOException ex)
        {
            problem = $"{what} '{fullPath}' cannot be read: {ex.Message}";
            return false;
        }
    }

    /// <summary>"64 KiB" or "65536 bytes": how a limit is said in messages.</summary>
    public static string Limit(int bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes % 1024 == 0 ? $"{bytes >> 10} KiB"
        : $"{bytes} bytes";

    private static string CannotRead(string fullPath, string what) =>
        $"{what} '{fullPath}' cannot be read by this user (give the service user read access, e.g. chown smartcity-edge and chmod 600)";

    /// <summary>Windows and macOS: no FIFOs or devices at ordinary paths to worry about beyond a directory.</summary>
    private static SafeFileHandle? OpenPortable(string fullPath, string what, out string? problem)
    {
        problem = null;
        if (Directory.Exists(fullPath))
        {
            problem = $"{what} '{fullPath}' is a directory, not a file";
            return null;
        }

        if (!File.Exists(fullPath))
        {
            problem = $"{what} '{fullPath}' does not exist";
            return null;
        }

        return File.OpenHandle(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
    }

    private static SafeFileHandle? OpenLinux(string fullPath, string what, out string? problem)
    {
        byte[] path = LinuxFiles.PathBytes(fullPath);
        if (!LinuxFiles.TryStat(path, out LinuxFileType type, out int errno))
        {
            problem = StatFailed(fullPath, what, errno);
            return null;
        }

        if (NotRegular(fullPath, what, type) is { } wrongType)
        {
            problem = wrongType;
            return null;
        }

        SafeFileHandle? handle = LinuxFiles.OpenNonBlocking(path, out errno);
        if (handle is null)
        {
            problem = StatFailed(fullPath, what, errno);
            return null;
        }

        // Checked again on what was opened: the path may have been replaced between the two.
        if (!LinuxFiles.TryStat(handle, out type, out errno))
        {
            problem = StatFailed(fullPath, what, errno);
            handle.Dispose();
            return null;
        }

        if (NotRegular(fullPath, what, type) is { } swapped)
        {
            problem = swapped;
            handle.Dispose();
            return null;
        }

        problem = null;
        return handle;
    }

    private static string? NotRegular(string fullPath, string what, LinuxFileType type) => type switch
    {
        LinuxFileType.Regular => null,
        LinuxFileType.Directory => $"{what} '{fullPath}' is a directory, not a file",
        LinuxFileType.Fifo => $"{what} '{fullPath}' is a named pipe (FIFO), not a file: reading it would wait for a writer; name a regular file",
        LinuxFileType.CharacterDevice => $"{what} '{fullPath}' is a character device (like /dev/zero or a serial port), not a file; name a regular file",
        LinuxFileType.BlockDevice => $"{what} '{fullPath}' is a block device (a disk), not a file; name a regular file",
        LinuxFileType.Socket => $"{what} '{fullPath}' is a socket, not a file; name a regular file",
        _ => $"{what} '{fullPath}' is not a regular file; name a regular file",
    };

    private static string StatFailed(string fullPath, string what, int errno) => errno switch
    {
        LinuxFiles.ENOENT or LinuxFiles.ENOTDIR => $"{what} '{fullPath}' does not exist",
        LinuxFiles.EACCES or LinuxFiles.EPERM => CannotRead(fullPath, what),
        _ => $"{what} '{fullPath}' cannot be read: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}",
    };
}
