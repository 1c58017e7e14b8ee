using System.Diagnostics;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// A real, small file system: a tmpfs of a few MiB mounted on a fresh directory (needs root, as the tests run in CI),
/// unmounted on dispose. <see cref="Fill"/> makes a file that takes every free byte, as a runaway log would.
/// </summary>
internal sealed class SmallFilesystem : IDisposable
{
    private SmallFilesystem(string path) => Path = path;

    public string Path { get; }

    /// <summary>Mounts a tmpfs of <paramref name="sizeMiB"/> MiB; fails with the reason when mounting is impossible.</summary>
    public static SmallFilesystem Mount(int sizeMiB)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "smartcity-smallfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        (int exitCode, string output) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeMiB}m,mode=0755", "tmpfs", path);
        Assert.True(exitCode == 0, $"mounting a {sizeMiB} MiB tmpfs on {path} failed (the full-disk tests need root, as in CI): {output}");
        return new SmallFilesystem(path);
    }

    /// <summary>Writes <paramref name="fileName"/> until the file system is full (ENOSPC); returns the bytes it took.</summary>
    public long Fill(string fileName)
    {
        byte[] block = new byte[64 * 1024];
        long written = 0;
        using var file = new FileStream(System.IO.Path.Combine(Path, fileName), FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        while (true)
        {
            try
            {
                file.Write(block);
                written += block.Length;
            }
            catch (IOException)
            {
                // No room for a whole block: fill the last bytes too, one page at a time.
                for (int chunk = 4096; ; written += chunk)
                {
                    try
                    {
                        file.Write(block, 0, chunk);
                    }
                    catch (IOException)
                    {
                        return written;
                    }
                }
            }
        }
    }

    /// <summary>Bytes still free on the file system.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
