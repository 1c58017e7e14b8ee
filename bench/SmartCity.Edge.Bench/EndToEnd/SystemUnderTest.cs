using System.Diagnostics;
using System.Globalization;

namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// One system doing the job (the gateway as native AOT or JIT build, or Node-RED): a real process started under
/// <c>taskset -c CPU</c> (taskset execs it, so its PID is the measured process), its output kept in a log file of
/// its run folder, killed at the end.
/// </summary>
internal abstract class SystemUnderTest : IAsyncDisposable
{
    private Process? _process;
    private readonly Lock _logLock = new();
    private StreamWriter? _log;

    protected SystemUnderTest(string name, string runDirectory)
    {
        Name = name;
        RunDirectory = Directory.CreateDirectory(runDirectory).FullName;
    }

    /// <summary>Short name: the second level of its topics (bench/NAME/telemetry/…) and the --systems key.</summary>
    public string Name { get; }

    /// <summary>What it is, for the report (build, versions).</summary>
    public abstract string Description { get; }

    /// <summary>True for our gateway (memory breakdown, disk figures matter).</summary>
    public abstract bool IsGateway { get; }

    public string RunDirectory { get; }

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"{Name} is not started");

    public bool HasExited => _process?.HasExited ?? true;

    public string LogPath => Path.Combine(RunDirectory, "output.log");

    /// <summary>Writes its configuration for the shape and starts it pinned to <paramref name="cpu"/>.</summary>
    public abstract Task StartAsync(LoadShape shape, IReadOnlyList<int> devicePorts, int brokerPort, int cpu, CancellationToken cancellationToken);

    /// <summary>Bytes in the managed heap if the system reports it (the gateway's /metrics), else null.</summary>
    public virtual Task<long?> ManagedHeapBytesAsync(CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    protected void Start(string executable, IEnumerable<string> arguments, int cpu, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("taskset")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RunDirectory,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(cpu.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(executable);
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        _log = new StreamWriter(LogPath) { AutoFlush = true };
        _process = Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start");
        _process.OutputDataReceived += (_, e) => WriteLog(e.Data);
        _process.ErrorDataReceived += (_, e) => WriteLog(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The last lines it printed, for a failure message.</summary>
    public string LogTail(int lines = 20)
    {
        lock (_logLock)
        {
            if (!File.Exists(LogPath))
            {
                return "(no output)";
            }

            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
    }

    private void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log?.WriteLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(CancellationToken.None);
            _process.Dispose();
        }

        lock (_logLock)
        {
            _log?.Dispose();
            _log = null;
        }

        await DisposeCoreAsync();
    }

    /// <summary>Removes what the system left on disk (the gateway's buffer).</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
