using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// bench/peers/modbus-bench-server (C, libmodbus): one listener per device, every register changing at every poll.
/// Built with make on first use. Its request counters tell how many points each system really read.
/// </summary>
internal sealed class ModbusBenchServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stats = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _reader;

    private ModbusBenchServer(Process process, IReadOnlyList<int> ports)
    {
        _process = process;
        Ports = ports;
        _reader = Task.Run(ReadStatsAsync);
    }

    /// <summary>Port of device i (device ids d000, d001, … in the same order).</summary>
    public IReadOnlyList<int> Ports { get; }

    public int ProcessId => _process.Id;

    public static async Task<ModbusBenchServer> StartAsync(LoadShape shape, CancellationToken cancellationToken)
    {
        string peers = Path.Combine(BenchEnvironment.RepositoryRoot, "bench", "peers");
        await BenchProcess.RunToEndAsync("make", ["-s", "-C", peers], cancellationToken);
        var info = new ProcessStartInfo(Path.Combine(peers, "build", "modbus-bench-server"))
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(shape.Devices.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(shape.Tags.ToString(CultureInfo.InvariantCulture));
        Process process = Process.Start(info) ?? throw new InvalidOperationException("modbus-bench-server did not start");
        string? ready = await process.StandardOutput.ReadLineAsync(cancellationToken);
        if (ready is null || !ready.StartsWith("READY ports=", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"modbus-bench-server did not start: {ready}");
        }

        int[] ports = ready["READY ports=".Length..].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new ModbusBenchServer(process, ports);
    }

    /// <summary>Registers read since the server started (each read adds its count), asked with SIGUSR1.</summary>
    public async Task<long> RegistersReadAsync(CancellationToken cancellationToken)
    {
        await BenchProcess.RunToEndAsync("kill", ["-USR1", _process.Id.ToString(CultureInfo.InvariantCulture)], cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        string line = await _stats.Reader.ReadAsync(timeout.Token);

        // STATS requests=N registers=M errors=E connections=C
        Dictionary<string, long> fields = line.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => long.Parse(f[1], CultureInfo.InvariantCulture));
        return fields["registers"];
    }

    private async Task ReadStatsAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("STATS ", StringComparison.Ordinal))
            {
                _stats.Writer.TryWrite(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        await _reader;
        _process.Dispose();
    }
}
