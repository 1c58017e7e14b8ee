using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// net-snmp for the gateway's tests: snmpd with only our configuration on a free UDP port (community <c>public</c>,
/// engine <c>gwtest</c>, v3 user <c>usha</c> SHA/AES with authpass123/privpass123), and the command-line tools, all
/// without MIB noise. snmpd is ready when it logs its version; it is stopped by its PID.
/// </summary>
internal sealed class SnmpPeers : IAsyncDisposable
{
    private readonly Process _snmpd;

    private SnmpPeers(Process snmpd, string directory, int port)
    {
        _snmpd = snmpd;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public static async Task<SnmpPeers> StartSnmpdAsync()
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("gw-snmpd-").FullName;
        int port = FreeUdpPort();
        string config = Path.Combine(directory, "snmpd.conf");
        await File.WriteAllTextAsync(config, $"""
            agentAddress udp:127.0.0.1:{port}
            engineID gwtest
            rocommunity public 127.0.0.1
            sysDescr TestAgent for gateway
            createUser usha SHA "authpass123" AES "privpass123"
            rouser usha priv
            """);
        var info = new ProcessStartInfo("/usr/sbin/snmpd") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["MIBS"] = string.Empty;
        info.Environment["MIBDIRS"] = "/nonexistent";
        info.Environment["SNMP_PERSISTENT_DIR"] = directory;
        foreach (string argument in new[] { "-f", "-Lo", "-C", "-I", "-smux", "-c", config, "-p", Path.Combine(directory, "pid") })
        {
            info.ArgumentList.Add(argument);
        }

        Process process = Process.Start(info)!;
        process.BeginErrorReadLine();
        var peers = new SnmpPeers(process, directory, port);
        using var timeout = new CancellationTokenSource(TestTimeouts.PeerStart);
        while (true)
        {
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                await peers.DisposeAsync();
                throw new InvalidOperationException("snmpd exited before it was ready");
            }

            if (line.StartsWith("NET-SNMP version", StringComparison.Ordinal))
            {
                _ = DrainAsync(process);
                return peers;
            }
        }
    }

    /// <summary>Runs snmpget/snmpwalk/snmptrap/snmpinform to completion.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToolAsync(string tool, string persistentDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["MIBS"] = string.Empty;
        info.Environment["MIBDIRS"] = "/nonexistent";
        info.Environment["SNMP_PERSISTENT_DIR"] = persistentDirectory;
        info.Environment["SNMPCONFPATH"] = persistentDirectory;
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.ProcessExit);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_snmpd.HasExited)
        {
            _snmpd.Kill();
        }

        await _snmpd.WaitForExitAsync().WaitAsync(TestTimeouts.ProcessExit);
        _snmpd.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task DrainAsync(Process process)
    {
        try
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
