using System.Collections.Concurrent;
using System.Diagnostics;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>The real gateway binary (<c>smartcity-edge run</c>) in its own process, so tests can SIGTERM or SIGKILL it.</summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly SemaphoreSlim _stderrLine = new(0);
    private readonly SemaphoreSlim _stdoutLine = new(0);

    private GatewayProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log => string.Join('\n', _stderr);

    public IReadOnlyCollection<string> StandardOutput => _stdout;

    /// <summary>Path of the built gateway assembly, next to this test project's build output.</summary>
    public static string GatewayAssembly
    {
        get
        {
            // tests/X/bin/{Configuration}/net10.0/ → src/Gateway/bin/{Configuration}/net10.0/smartcity-edge.dll
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = testBin.Name;
            string configuration = testBin.Parent!.Name;
            DirectoryInfo root = testBin.Parent!.Parent!.Parent!.Parent!.Parent!;
            return Path.Combine(root.FullName, "src", "Gateway", "bin", configuration, framework, "smartcity-edge.dll");
        }
    }

    /// <summary>
    /// A native AOT build of the gateway to run instead of <see cref="GatewayAssembly"/>, named by the environment
    /// variable <c>SMARTCITY_EDGE_TEST_BINARY</c>: tests/run.sh publishes one and runs the real-binary tests against it
    /// a second time, so the binary the service ships is the binary the tests pass on.
    /// </summary>
    public static string? NativeBinary => Environment.GetEnvironmentVariable("SMARTCITY_EDGE_TEST_BINARY") is { Length: > 0 } path ? path : null;

    /// <summary>The executable systemd would start: the native binary under test, else the apphost beside <see cref="GatewayAssembly"/>.</summary>
    public static string Executable => NativeBinary ?? Path.ChangeExtension(GatewayAssembly, null);

    /// <summary>
    /// A parent process named <c>systemd</c>: the hosting library decides it runs as a systemd service when its parent's
    /// name is <c>systemd</c> (Microsoft.Extensions.Hosting.Systemd, SystemdHelpers). Signals are passed on to the gateway.
    /// </summary>
    private const string SystemdNamedParent = """
        import ctypes, signal, subprocess, sys
        ctypes.CDLL(None).prctl(15, b"systemd", 0, 0, 0)  # PR_SET_NAME
        child = subprocess.Popen(sys.argv[1:])
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(number, lambda n, _: child.send_signal(n))
        sys.exit(child.wait())
        """;

    public static GatewayProcess Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    /// <summary>Starts the gateway as the child of a process named <c>systemd</c>, as a systemd unit would run it.</summary>
    public static GatewayProcess StartAsSystemdService(params string[] arguments) =>
        Start(new Dictionary<string, string>(), arguments, ["/usr/bin/python3", "-c", SystemdNamedParent]);

    /// <summary>
    /// Starts the gateway through <paramref name="launcher"/> (a program and its arguments that end by executing the
    /// command line appended to them), e.g. a wrapper that installs a seccomp filter first.
    /// </summary>
    public static GatewayProcess StartUnder(string[] launcher, params string[] arguments) =>
        Start(new Dictionary<string, string>(), arguments, launcher);

    /// <summary>Starts the gateway with extra environment variables (e.g. <c>NOTIFY_SOCKET</c>).</summary>
    public static GatewayProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Start(environment, arguments, launcher: []);

    /// <summary>Starts the gateway in <paramref name="workingDirectory"/> (the embedded demo keeps its data in ./data/demo there).</summary>
    public static GatewayProcess StartIn(string workingDirectory, params string[] arguments) =>
        Start(new Dictionary<string, string>(), arguments, launcher: [], workingDirectory);

    private static GatewayProcess Start(IReadOnlyDictionary<string, string> environment, string[] arguments, string[] launcher, string? workingDirectory = null)
    {
        string? native = NativeBinary;
        var info = new ProcessStartInfo(launcher.Length > 0 ? launcher[0] : native ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        if (launcher.Length > 0)
        {
            foreach (string argument in launcher[1..])
            {
                info.ArgumentList.Add(argument);
            }

            info.ArgumentList.Add(native ?? "dotnet");
        }

        if (native is null)
        {
            info.ArgumentList.Add(GatewayAssembly);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        info.Environment["Logging__LogLevel__SmartCity.Edge.Gateway.Upstream"] = "Trace";
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("the gateway did not start");
        var gateway = new GatewayProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                gateway._stderr.Enqueue(e.Data);
                gateway._stderrLine.Release();
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                gateway._stdout.Enqueue(e.Data);
                gateway._stdoutLine.Release();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return gateway;
    }

    /// <summary>Runs the gateway to completion (e.g. <c>validate</c>) and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string StandardOutput, string StandardError)> RunToEndAsync(params string[] arguments) =>
        RunToEndAsync(new Dictionary<string, string>(), arguments);

    /// <summary>As <see cref="RunToEndAsync(string[])"/> with extra environment variables (e.g. a password for <c>--password-env</c>).</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunToEndAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        await using GatewayProcess gateway = Start(environment, arguments);
        await gateway._process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        gateway._process.WaitForExit(); // flushes the asynchronous output readers
        return (gateway._process.ExitCode, string.Join('\n', gateway._stdout), string.Join('\n', gateway._stderr));
    }

    public void Kill() => _process.Kill();

    /// <summary>SIGKILL, as a power cut would end it (no shutdown code runs), and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Short);
    }

    /// <summary>Sends a POSIX signal (SIGHUP for a reload).</summary>
    public void Signal(int signal) => Posix.Kill(_process.Id, signal);

    /// <summary>Awaits <paramref name="task"/>; a <see cref="TimeoutException"/> from it gets this gateway's log added.</summary>
    public async Task<T> WithLogAsync<T>(Task<T> task)
    {
        try
        {
            return await task;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\ngateway log:\n" + Log, ex);
        }
    }

    /// <summary>Completes when a stderr line contains <paramref name="text"/>; fails with the log after <paramref name="timeout"/>.</summary>
    public Task WaitForLogAsync(string text, TimeSpan timeout) => WaitForLogCountAsync(text, 1, timeout);

    /// <summary>The first stderr line that contains <paramref name="text"/> (e.g. a listener's address with the port it bound).</summary>
    public async Task<string> WaitForLogLineAsync(string text, TimeSpan timeout)
    {
        await WaitForLogCountAsync(text, 1, timeout);
        return _stderr.First(l => l.Contains(text, StringComparison.Ordinal));
    }

    /// <summary>Completes when the process has exited by itself; fails with the log after <see cref="TestTimeouts.Long"/>.</summary>
    public async Task WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        _process.WaitForExit(); // flushes the asynchronous output readers
    }

    /// <summary>Waits until <paramref name="count"/> log lines contain <paramref name="text"/>.</summary>
    public async Task WaitForLogCountAsync(string text, int count, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (_stderr.Count(l => l.Contains(text, StringComparison.Ordinal)) < count)
        {
            TimeSpan remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || _process.HasExited || !await _stderrLine.WaitAsync(remaining))
            {
                throw new TimeoutException($"{(count == 1 ? "no log line" : $"fewer than {count} log lines")} containing '{text}' within {timeout.TotalSeconds}s (exited: {_process.HasExited}); log:\n{Log}");
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> stdout lines (upstream console output) start with <paramref name="prefix"/>.</summary>
    public async Task WaitForOutputCountAsync(string prefix, int count, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (_stdout.Count(l => l.StartsWith(prefix, StringComparison.Ordinal)) < count)
        {
            TimeSpan remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || _process.HasExited || !await _stdoutLine.WaitAsync(remaining))
            {
                throw new TimeoutException($"fewer than {count} output lines starting with '{prefix}' within {timeout.TotalSeconds}s (exited: {_process.HasExited}); log:\n{Log}");
            }
        }
    }

    public async Task TerminateAsync()
    {
        Posix.Kill(_process.Id, Posix.SigTerm);
        await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        _process.WaitForExit();
    }

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
