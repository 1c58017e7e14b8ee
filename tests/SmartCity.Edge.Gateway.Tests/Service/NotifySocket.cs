using System.Net.Sockets;
using System.Text;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>The test's stand-in for systemd's notification socket: a Unix datagram socket in a temp folder.</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string _directory = Directory.CreateTempSubdirectory("notify-").FullName;
    private readonly byte[] _buffer = new byte[4096];

    public NotifySocket()
    {
        Path = System.IO.Path.Combine(_directory, "notify.sock");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    public string Path { get; }

    /// <summary>The next notification, or null when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            int length = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(_buffer, 0, length);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads notifications until one contains <paramref name="line"/>; fails after <paramref name="timeout"/>.</summary>
    public async Task<List<string>> WaitForAsync(string line, TimeSpan timeout)
    {
        var seen = new List<string>();
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            string? message = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (message is null)
            {
                break;
            }

            seen.Add(message);
            if (message.Split('\n').Contains(line))
            {
                return seen;
            }
        }

        throw new TimeoutException($"no '{line}' within {timeout.TotalSeconds}s; received: {string.Join(" | ", seen)}");
    }

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
