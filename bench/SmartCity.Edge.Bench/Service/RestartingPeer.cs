using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Bench.Service;

/// <summary>
/// A test peer (tests/peers) that is killed (SIGKILL) and started again on the same port every <c>period</c>, or never
/// when the period is null. It prints <c>READY port=N</c> or <c>READY N</c> once listening.
/// </summary>
internal sealed partial class RestartingPeer : IAsyncDisposable
{
    private readonly string _executable;
    private readonly Func<int, string[]> _arguments;
    private readonly TimeSpan? _period;
    private readonly CancellationTokenSource _stop = new();
    private Process? _process;
    private Task _loop = Task.CompletedTask;

    private RestartingPeer(string executable, Func<int, string[]> arguments, TimeSpan? period)
    {
        _executable = executable;
        _arguments = arguments;
        _period = period;
    }

    public int Port { get; private set; }

    public int Restarts { get; private set; }

    /// <summary>Starts the peer (arguments get the port: 0 the first time, then the one it chose) and its restart loop.</summary>
    public static async Task<RestartingPeer> StartAsync(string executable, Func<int, string[]> arguments, TimeSpan? period, CancellationToken cancellationToken)
    {
        var peer = new RestartingPeer(executable, arguments, period);
        await peer.StartOnceAsync(cancellationToken);
        if (period is { } every)
        {
            peer._loop = peer.RestartLoopAsync(every);
        }

        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await KillAsync();
        _stop.Dispose();
    }

    private async Task RestartLoopAsync(TimeSpan every)
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(every, _stop.Token);
            await KillAsync();
            await StartOnceAsync(_stop.Token);
            Restarts++;
        }
    }

    private async Task StartOnceAsync(CancellationToken cancellationToken)
    {
        // Standard input stays open: node-opcua's server.js stops when it closes.
        var info = new ProcessStartInfo(_executable, _arguments(Port)) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        Process process = Process.Start(info) ?? throw new InvalidOperationException($"{_executable} did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ReadyLine().Match(line) is { Success: true } ready)
            {
                Port = int.Parse(ready.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                _process = process;
                _ = DrainAsync(process);
                return;
            }
        }

        throw new InvalidOperationException($"{_executable} exited before it was ready");
    }

    private async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            process.Dispose();
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
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or IOException)
        {
        }
    }

    [GeneratedRegex(@"^READY (?:port=)?(\d+)")]
    private static partial Regex ReadyLine();
}
