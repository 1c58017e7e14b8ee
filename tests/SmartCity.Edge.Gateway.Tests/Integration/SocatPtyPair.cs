using System.Diagnostics;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Two linked pseudo-terminals from socat, standing in for an RS-485 line between the gateway's serial port and a
/// device server. A pty ignores baud and parity: tests over it prove framing and scheduling, not serial timing.
/// </summary>
internal sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly Process _socat;
    private readonly string _directory;

    private SocatPtyPair(Process socat, string directory)
    {
        _socat = socat;
        _directory = directory;
    }

    /// <summary>The end the gateway opens as its serial port.</summary>
    public string GatewayEnd => Path.Combine(_directory, "gateway");

    /// <summary>The end the device server opens.</summary>
    public string DeviceEnd => Path.Combine(_directory, "device");

    public static async Task<SocatPtyPair> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("edge-pty-").FullName;
        var info = new ProcessStartInfo("socat") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in new[] { "-d", "-d", $"pty,raw,echo=0,link={Path.Combine(directory, "gateway")}", $"pty,raw,echo=0,link={Path.Combine(directory, "device")}" })
        {
            info.ArgumentList.Add(argument);
        }

        Process socat = Process.Start(info) ?? throw new InvalidOperationException("socat did not start");
        var pair = new SocatPtyPair(socat, directory);

        // socat -d -d says so on stderr once both ptys and their links exist.
        using var timeout = new CancellationTokenSource(TestTimeouts.Short);
        try
        {
            while (await socat.StandardError.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains("starting data transfer loop", StringComparison.Ordinal))
                {
                    _ = socat.StandardError.ReadToEndAsync(CancellationToken.None);
                    return pair;
                }
            }

            throw new InvalidOperationException("socat exited before both ptys were ready");
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_socat.HasExited)
        {
            _socat.Kill();
            await _socat.WaitForExitAsync();
        }

        _socat.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
