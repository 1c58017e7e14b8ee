using System.Net;

namespace SmartCity.Edge.Tests;

/// <summary>
/// Debian's snmpd on 127.0.0.1 and a free UDP port, with only our configuration (<c>-C -c</c>): community
/// <c>public</c>, engine ID <c>gwtest</c> (80001F8804677774657374), and v3 users usha (SHA/AES), usha256
/// (SHA-256/AES), usha512 (SHA-512/AES), umd5des (MD5/DES), uauth (SHA, no priv). Ready when it logs its version.
/// snmpd cannot bind port 0 and report it, hence <see cref="FreeUdpPort"/>. Linked into both test projects (tests/Shared).
/// </summary>
internal sealed class SnmpdAgent : IAsyncDisposable
{
    public const string EngineIdHex = "80001F8804677774657374";

    private readonly PeerProcess _process;

    private SnmpdAgent(PeerProcess process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string Address => $"127.0.0.1:{Port}";

    public PeerProcess Process => _process;

    public static async Task<SnmpdAgent> StartAsync(string extraConfig = "", int? port = null)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("snmpd-").FullName;
        int chosen = port ?? FreeUdpPort.Next();
        string config = $"""
            agentAddress udp:127.0.0.1:{chosen}
            engineID gwtest
            rocommunity public 127.0.0.1
            sysDescr TestAgent for gateway
            sysLocation park 7, room 3
            createUser usha    SHA     "authpass123" AES "privpass123"
            createUser usha256 SHA-256 "authpass123" AES "privpass123"
            createUser usha512 SHA-512 "authpass123" AES "privpass123"
            createUser usha224 SHA-224 "authpass123" AES "privpass123"
            createUser umd5des MD5     "authpass123" DES "privpass123"
            createUser uauth   SHA     "authpass123"
            rouser usha priv
            rouser usha256 priv
            rouser usha512 priv
            rouser usha224 priv
            rouser umd5des priv
            rouser uauth auth
            {extraConfig}
            """;
        string file = Path.Combine(directory, "snmpd.conf");
        await File.WriteAllTextAsync(file, config);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "persist"));
        PeerProcess process = PeerProcess.Start(
            "/usr/bin/env",
            "MIBS=",
            "MIBDIRS=/nonexistent",
            $"SNMP_PERSISTENT_DIR={Path.Combine(directory, "persist")}",
            "/usr/sbin/snmpd",
            "-f",
            "-Lo",
            "-C",
            "-I",
            "-smux",
            "-c",
            file,
            "-p",
            Path.Combine(directory, "snmpd.pid"));
        var agent = new SnmpdAgent(process, directory, chosen);
        try
        {
            await process.WaitForOutputAsync(l => l.StartsWith("NET-SNMP version", StringComparison.Ordinal), timeout: TestTimeouts.PeerStart);
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }

        return agent;
    }

    /// <summary>snmpget/snmpwalk/… against this agent with the given options before the address.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunToolAsync(string tool, string[] options, params string[] oids) =>
        SnmpTool.RunAsync(tool, Path.Combine(Directory, "persist"), [.. options, "-On", Address, .. oids]);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
