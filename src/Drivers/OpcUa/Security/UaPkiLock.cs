using System.Diagnostics;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// An exclusive lock on a file of the PKI folder, between threads and processes alike (the service's devices and the
/// technician tool): .NET opens a file with <see cref="FileShare.None"/> under an exclusive advisory lock (flock on
/// Unix), which a second open — from this process too — cannot take until the first is disposed.
/// </summary>
internal sealed class UaPkiLock : IDisposable
{
    /// <summary>Longest wait: creating an RSA key takes a second or two on a Raspberry Pi, several waiters queue behind it.</summary>
    private static readonly TimeSpan s_maxWait = TimeSpan.FromSeconds(60);

    private readonly FileStream _file;

    private UaPkiLock(FileStream file) => _file = file;

    /// <exception cref="IOException">The lock was not free within a minute (another process holds it).</exception>
    public static UaPkiLock Acquire(string path)
    {
        long started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return new UaPkiLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (Stopwatch.GetElapsedTime(started) < s_maxWait)
            {
                // Held by another device or process: a short sleep on a cold path (once per connect), not a timer.
                Thread.Sleep(25);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
