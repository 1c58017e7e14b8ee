using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>
/// The two system calls .NET does not expose: the file type (<c>statx(2)</c>; .NET's <c>FileAttributes</c> tells a
/// directory but not a pipe or a device) and an open that does not wait for a pipe's writer (<c>O_NONBLOCK</c>).
/// <c>struct statx</c> has one layout on every Linux architecture, unlike <c>struct stat</c>. Plain
/// <c>DllImport</c> with blittable arguments: this project compiles without unsafe code.
/// </summary>
internal static class LinuxFiles
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;

    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x0001;

    // asm-generic values, shared by x86-64, arm64 and arm.
    private const int ORdOnly = 0;
    private const int ONoCtty = 0x100;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;

    /// <summary>
    /// False on a C library without <c>statx</c> (glibc before 2.28, older musl): files are then opened the portable
    /// way, which still refuses directories and bounds the read but cannot tell a pipe before opening it.
    /// </summary>
    public static bool Available { get; } = Probe();

    /// <summary>A NUL-terminated UTF-8 path for the system calls.</summary>
    public static byte[] PathBytes(string path)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    /// <summary>The type of what <paramref name="path"/> names, following symbolic links (a Kubernetes secret is one).</summary>
    public static bool TryStat(byte[] path, out LinuxFileType type, out int errno)
    {
        var buffer = default(StatxBuffer);
        return Result(Statx(AtFdCwd, path, 0, StatxType, ref buffer), ref buffer, out type, out errno);
    }

    /// <summary>The type of an open file.</summary>
    public static bool TryStat(SafeFileHandle handle, out LinuxFileType type, out int errno)
    {
        var buffer = default(StatxBuffer);
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int result = Statx((int)handle.DangerousGetHandle(), [0], AtEmptyPath, StatxType, ref buffer);
            return Result(result, ref buffer, out type, out errno);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Opens for reading without waiting for a FIFO's writer and without making a terminal ours; null and errno on failure.</summary>
    public static SafeFileHandle? OpenNonBlocking(byte[] path, out int errno)
    {
        int fd = Open(path, ORdOnly | ONonBlock | OCloExec | ONoCtty);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static bool Probe()
    {
        try
        {
            return TryStat(PathBytes("/"), out _, out _);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    private static bool Result(int result, ref StatxBuffer buffer, out LinuxFileType type, out int errno)
    {
        if (result != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            type = LinuxFileType.Unknown;
            return false;
        }

        errno = 0;
        type = (LinuxFileType)(buffer.Mode & 0xF000);
        return true;
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in this project; these signatures are blittable.
    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, byte[] path, int flags, uint mask, ref StatxBuffer buffer);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);
#pragma warning restore SYSLIB1054

    /// <summary><c>struct statx</c> (linux/stat.h): 256 bytes; only <c>stx_mode</c> is read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;
    }
}
