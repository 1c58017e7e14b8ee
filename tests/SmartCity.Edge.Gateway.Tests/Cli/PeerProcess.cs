using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>A test peer from tests/peers that prints <c>READY port=N</c> (or <c>READY N</c>) once it listens.</summary>
internal sealed partial class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
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
                // Keep draining stdout so the peer never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new PeerProcess(process, int.Parse(ready.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"^READY (?:port=)?(\d+)")]
    private static partial Regex ReadyLine();
}
