using System.Diagnostics;
using System.Text;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A real node-opcua server (tests/peers/opcua/server.js) on 127.0.0.1 and a port it picked itself (port 0),
/// started by the fixture and stopped by PID. Installed by tests/peers/install.sh.
/// </summary>
public sealed class NodeOpcUaServer : IAsyncDisposable
{
    // Generous: a first start creates the server's PKI, which took over a minute on the shared 2-core test machine under load.
    private static readonly TimeSpan s_startTimeout = TestTimeouts.PeerStart;
    private readonly StringBuilder _stderr = new();
    private readonly bool _legacyRsa15;
    private Process? _process;

    private NodeOpcUaServer(string pkiDirectory, bool legacyRsa15)
    {
        PkiDirectory = pkiDirectory;
        _legacyRsa15 = legacyRsa15;
    }

    public int Port { get; private set; }

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{Port}";

    public string PkiDirectory { get; }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static string PeerDirectory
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "SmartCity.Edge.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return Path.Combine(dir ?? throw new InvalidOperationException("repository root not found"), "tests", "peers", "opcua");
        }
    }

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
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Starts the server again on the same port (same PKI, so the same server certificate).</summary>
    public Task RestartAsync() => StartProcessAsync(Port, bench: false);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
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

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = PeerDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
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

        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("READY ", StringComparison.Ordinal))
            {
                ready.TrySetResult(int.Parse(line.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(line);
                }
            }
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("node-opcua server exited before it was ready: " + Stderr));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Port = await ready.Task.WaitAsync(s_startTimeout);
    }
}
