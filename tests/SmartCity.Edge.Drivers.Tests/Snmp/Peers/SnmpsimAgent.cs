using System.Net;
using SmartCity.Edge.Drivers.Tests.Modbus.Peers;

namespace SmartCity.Edge.Drivers.Tests.Snmp.Peers;

/// <summary>
/// Debian's snmpsim (snmpsimd) serving our UPS-MIB recording, tests/peers/snmp/ups.snmprec, as community <c>ups</c>.
/// As root it must drop to nobody, so its data and cache folders are made world-readable/writable.
/// </summary>
internal sealed class SnmpsimAgent : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private readonly string _directory;

    private SnmpsimAgent(PeerProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public static async Task<SnmpsimAgent> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("snmpsim-").FullName;
        string data = Path.Combine(directory, "data");
        string cache = Path.Combine(directory, "cache");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(cache);
        File.Copy(Path.Combine(RepositoryPaths.Root, "tests", "peers", "snmp", "ups.snmprec"), Path.Combine(data, "ups.snmprec"));
        foreach (string path in new[] { directory, data, cache, Path.Combine(data, "ups.snmprec") })
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
            }
        }

        int port = FreeUdpPort.Next();
        PeerProcess process = PeerProcess.Start(
            "/usr/bin/snmpsimd",
            $"--data-dir={data}",
            $"--cache-dir={cache}",
            $"--agent-udpv4-endpoint=127.0.0.1:{port}",
            "--process-user=nobody",
            "--process-group=nogroup");
        var agent = new SnmpsimAgent(process, directory, port);
        try
        {
            await process.WaitForOutputAsync(l => l.Contains("Listening at UDP/IPv4 endpoint", StringComparison.Ordinal));
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }

        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
