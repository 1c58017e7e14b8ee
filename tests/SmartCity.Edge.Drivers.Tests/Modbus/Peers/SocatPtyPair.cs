namespace SmartCity.Edge.Drivers.Tests.Modbus.Peers;

/// <summary>
/// Two linked pseudo-terminals from socat, standing in for a serial cable. A pty ignores baud and parity, so tests over
/// it prove framing and CRC, not serial timing (test-peers.md).
/// </summary>
internal sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly PeerProcess _socat;
    private readonly string _directory;

    private SocatPtyPair(PeerProcess socat, string directory)
    {
        _socat = socat;
        _directory = directory;
    }

    public string DriverEnd => Path.Combine(_directory, "driver");

    public string ServerEnd => Path.Combine(_directory, "server");

    public static async Task<SocatPtyPair> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("modbus-pty-").FullName;
        PeerProcess socat = PeerProcess.Start("socat", "-d", "-d",
            $"pty,raw,echo=0,link={Path.Combine(directory, "driver")}",
            $"pty,raw,echo=0,link={Path.Combine(directory, "server")}");
        var pair = new SocatPtyPair(socat, directory);

        // socat -d -d reports on stderr once both ptys and their links exist.
        try
        {
            await socat.WaitForOutputAsync(l => l.Contains("starting data transfer loop", StringComparison.Ordinal));
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }

        return pair;
    }

    public async ValueTask DisposeAsync()
    {
        await _socat.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
