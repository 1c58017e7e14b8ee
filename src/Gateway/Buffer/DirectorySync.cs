using System.Runtime.InteropServices;
using System.Text;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// <c>fsync(2)</c> on a directory, which .NET does not expose: after a file is renamed over another, the rename is
/// durable only once its directory is flushed (a power cut before that can bring the old file back). Plain
/// <c>DllImport</c> with blittable arguments: this project compiles without unsafe code.
/// </summary>
internal static class DirectorySync
{
    // asm-generic values, shared by x86-64, arm64 and arm.
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloExec = 0x80000;

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk.</summary>
    /// <exception cref="IOException">The directory cannot be opened or flushed; the message carries errno.</exception>
    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            // No directory fsync there (and no libc): NTFS journals its metadata, so a completed rename survives a
            // power cut, and the files' own FlushFileBuffers already ran.
            return;
        }

        byte[] path = new byte[Encoding.UTF8.GetByteCount(directory) + 1];
        Encoding.UTF8.GetBytes(directory, path);
        int fd = Open(path, ORdOnly | ODirectory | OCloExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory '{directory}' to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in this project; these signatures are blittable.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
#pragma warning restore SYSLIB1054
}
