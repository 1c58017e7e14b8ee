using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>A test peer from tests/peers that prints <c>READY port=N</c> (or <c>READY N</c>) once it listens.</summary>
internal sealed partial class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);
    private int _disposed;

    private PeerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Every line the peer printed after READY (pymodbus: one <c>REQ fc=…</c> per request).</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>The repository's tests/peers folder, found from the test's build output.</summary>
    public static string PeersDirectory
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "SmartCity.Edge.sln")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return Path.Combine(dir ?? throw new InvalidOperationException("repository root not found"), "tests", "peers");
        }
    }

    /// <summary>The libmodbus server of tests/peers/modbus, built by install.sh (or here, for a developer running the tests directly).</summary>
    public static async Task<string> LibmodbusServerAsync()
    {
        string peers = Path.Combine(PeersDirectory, "modbus");
        string binary = Path.Combine(peers, "build", "libmodbus_server");
        if (!File.Exists(binary))
        {
            using var make = Process.Start("make", ["-s", "-C", peers]);
            await make.WaitForExitAsync();
        }

        return binary;
    }

    public static async Task<PeerProcess> StartAsync(string executable, params string[] arguments)
    {
        // Standard input stays open: some peers (node-opcua's server.js) stop when it closes, i.e. when the test dies.
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process = Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start");
        process.BeginErrorReadLine();
        // Generous: node-opcua creates its PKI on a first start, which took 35 s on the shared 2-core test machine under load.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (true)
        {
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                throw new InvalidOperationException($"{executable} exited before it was ready (exit code {(process.WaitForExit(1000) ? process.ExitCode : -1)})");
            }

            Match ready = ReadyLine().Match(line);
            if (ready.Success)
            {
                // Keep draining stdout so the peer never blocks on a full pipe; keep the lines for WaitForLineAsync.
                var peer = new PeerProcess(process, int.Parse(ready.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                _ = peer.PumpAsync();
                return peer;
            }
        }
    }

    /// <summary>Waits for a line of the peer's output (after READY) that matches, failing after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        int seen = 0;
        while (true)
        {
            string[] lines = _lines.ToArray();
            for (; seen < lines.Length; seen++)
            {
                if (match(lines[seen]))
                {
                    return lines[seen];
                }
            }

            try
            {
                await _lineArrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching line within {timeout.TotalSeconds}s; last lines: {string.Join(" | ", _lines.TakeLast(5))}");
            }
        }
    }

    /// <summary>Writes one line to the peer's standard input (peers that take commands, e.g. the Sparkplug host).</summary>
    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            _lines.Enqueue(line);
            _lineArrived.Release();
        }
    }

    [GeneratedRegex(@"^READY (?:port=)?(\d+)")]
    private static partial Regex ReadyLine();
}
