using System.Diagnostics;
using System.Globalization;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Two linked pseudo-terminals from socat, standing in for an RS-485 line between the gateway's serial port and a
/// device server. A pty ignores baud and parity: tests over it prove framing and scheduling, not serial timing.
/// socat's hex dump (-x) of the line is kept: <see cref="GatewayBytes"/> is what the gateway sent, in wire order.
/// </summary>
internal sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly Process _socat;
    private readonly string _directory;
    private readonly List<byte> _gatewayBytes = [];
    private Task _dump = Task.CompletedTask;

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
        foreach (string argument in new[] { "-d", "-d", "-x", $"pty,raw,echo=0,link={Path.Combine(directory, "gateway")}", $"pty,raw,echo=0,link={Path.Combine(directory, "device")}" })
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
                    pair._dump = pair.ReadDumpAsync();
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

    /// <summary>Every byte the gateway wrote to the line so far, in order.</summary>
    public byte[] GatewayBytes()
    {
        lock (_gatewayBytes)
        {
            return [.. _gatewayBytes];
        }
    }

    /// <summary>
    /// socat -x writes each transfer as a header line, '&gt;' for the first address (the gateway's end) to the second,
    /// '&lt;' back, then a line of hex bytes.
    /// </summary>
    private async Task ReadDumpAsync()
    {
        bool fromGateway = false;
        while (await _socat.StandardError.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("> ", StringComparison.Ordinal) || line.StartsWith("< ", StringComparison.Ordinal))
            {
                fromGateway = line[0] == '>';
            }
            else if (fromGateway && line.StartsWith(' '))
            {
                byte[] bytes = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => byte.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
                lock (_gatewayBytes)
                {
                    _gatewayBytes.AddRange(bytes);
                }
            }
            else
            {
                fromGateway = false;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_socat.HasExited)
        {
            _socat.Kill();
            await _socat.WaitForExitAsync();
        }

        await _dump;
        _socat.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
