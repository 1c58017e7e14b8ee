using System.Diagnostics;
using System.Globalization;

namespace SmartCity.Edge.Bench;

/// <summary>Debian's mosquitto on a free loopback port with its own config in a temp folder, for one benchmark run.</summary>
internal sealed class LocalMosquitto : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private LocalMosquitto(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public static Task<LocalMosquitto> StartAsync(CancellationToken cancellationToken) => StartAsync(string.Empty, cancellationToken);

    /// <param name="extraConfiguration">More mosquitto.conf lines (e.g. <c>sys_interval 1</c>), or empty.</param>
    /// <param name="cancellationToken">Stops waiting for the broker to listen.</param>
    public static async Task<LocalMosquitto> StartAsync(string extraConfiguration, CancellationToken cancellationToken)
    {
        string directory = Directory.CreateTempSubdirectory("edge-bench-mosquitto-").FullName;
        int port = BenchEnvironment.FreePort();
        string conf = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(conf, $"listener {port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1\nallow_anonymous true\nuser root\n{extraConfiguration}\n", cancellationToken);
        Process process = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-c", conf]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("mosquitto did not start (apt-get install mosquitto)");
        await BenchEnvironment.WaitForPortAsync(port, "mosquitto", cancellationToken);
        return new LocalMosquitto(process, directory, port);
    }

    /// <summary>The broker's version line, e.g. 2.0.11.</summary>
    public static string Version()
    {
        using Process p = Process.Start(new ProcessStartInfo("/usr/sbin/mosquitto", ["-h"]) { RedirectStandardOutput = true })!;
        string first = p.StandardOutput.ReadLine() ?? string.Empty;
        p.WaitForExit();
        return first.Replace("mosquitto version ", string.Empty, StringComparison.Ordinal).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(CancellationToken.None);
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
