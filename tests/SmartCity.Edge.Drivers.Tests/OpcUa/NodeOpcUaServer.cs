using System.Diagnostics;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A real node-opcua server (tests/peers/opcua/server.js) on 127.0.0.1 and a port it picked itself (port 0), read
/// from its <c>READY</c> line. The process is a <see cref="PeerProcess"/> (output kept, stopped by PID).
/// Installed by tests/peers/install.sh.
/// </summary>
public sealed class NodeOpcUaServer : IAsyncDisposable
{
    private readonly bool _legacyRsa15;
    private PeerProcess? _process;

    private NodeOpcUaServer(string pkiDirectory, bool legacyRsa15)
    {
        PkiDirectory = pkiDirectory;
        _legacyRsa15 = legacyRsa15;
    }

    public int Port { get; private set; }

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{Port}";

    public string PkiDirectory { get; }

    /// <summary>Standard error of the server process now running (or last run).</summary>
    public string Stderr => _process?.Stderr ?? string.Empty;

    public static string PeerDirectory => Path.Combine(RepositoryPaths.Peers, "opcua");

    /// <summary>Starts a server; <paramref name="port"/> 0 lets it pick (restart tests pass the old port again).</summary>
    /// <param name="port">The port, 0 = a free one.</param>
    /// <param name="pkiDirectory">The server's PKI folder; null = a new temporary one.</param>
    /// <param name="bench">All Bench nodes change every 50 ms.</param>
    /// <param name="legacyRsa15">
    /// Also offer the deprecated Basic128Rsa15 policy. Node.js refuses RSA PKCS#1 v1.5 private decryption since
    /// CVE-2023-46809 ("Marvin"), so only this server instance runs with <c>--security-revert=CVE-2023-46809</c>.
    /// </param>
    public static async Task<NodeOpcUaServer> StartAsync(int port = 0, string? pkiDirectory = null, bool bench = false, bool legacyRsa15 = false)
    {
        var server = new NodeOpcUaServer(pkiDirectory ?? Path.Combine(Path.GetTempPath(), "smartcity-edge-opcua-pki-" + Guid.NewGuid().ToString("N")), legacyRsa15);
        await server.StartProcessAsync(port, bench);
        return server;
    }

    /// <summary>Kills the server process (no clean shutdown), as a crash or power loss would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            await process.KillAsync();
        }
    }

    /// <summary>Starts the server again on the same port (same PKI, so the same server certificate).</summary>
    public Task RestartAsync() => StartProcessAsync(Port, bench: false);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(PkiDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private async Task StartProcessAsync(int port, bool bench)
    {
        string script = Path.Combine(PeerDirectory, "server.js");
        if (!Directory.Exists(Path.Combine(PeerDirectory, "node_modules", "node-opcua")))
        {
            throw new InvalidOperationException("node-opcua is not installed: run tests/peers/install.sh");
        }

        // Output and input are redirected by PeerProcess; standard input stays open (server.js stops when it closes).
        var start = new ProcessStartInfo("node") { WorkingDirectory = PeerDirectory };
        if (_legacyRsa15)
        {
            start.ArgumentList.Add("--security-revert=CVE-2023-46809");
        }

        start.ArgumentList.Add(script);
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(PkiDirectory);
        if (bench)
        {
            start.ArgumentList.Add("--bench");
        }

        if (_legacyRsa15)
        {
            start.ArgumentList.Add("--legacy-rsa15");
        }

        if (_process is not null)
        {
            await _process.DisposeAsync(); // a restart: the killed server's process
        }

        _process = PeerProcess.Start(start);
        Port = await _process.WaitForReadyAsync();
    }
}
