using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// The real gateway binary (<c>smartcity-edge run</c>) in its own process, so tests can SIGTERM or SIGKILL it. Its
/// process, output and line waits are a <see cref="PeerProcess"/>'s; this adds how the gateway is started (dll or
/// native binary, launchers) and reads its log (standard error) and console output (standard output).
/// </summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private const string HttpListeningText = "Status page, health and metrics on http://";

    private readonly PeerProcess _process;

    private GatewayProcess(PeerProcess process)
    {
        _process = process;
    }

    public int Id => _process.Pid;

    public bool HasExited => _process.HasExited;

    /// <summary>The gateway's log so far: its standard error, one line per entry.</summary>
    public string Log => string.Join('\n', _process.ErrorLines);

    /// <summary>Console upstream output so far (standard output).</summary>
    public IReadOnlyCollection<string> StandardOutput => _process.Lines;

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

        return new GatewayProcess(PeerProcess.Start(info));
    }

    /// <summary>Runs the gateway to completion (e.g. <c>validate</c>) and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string StandardOutput, string StandardError)> RunToEndAsync(params string[] arguments) =>
        RunToEndAsync(new Dictionary<string, string>(), arguments);

    /// <summary>As <see cref="RunToEndAsync(string[])"/> with extra environment variables (e.g. a password for <c>--password-env</c>).</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunToEndAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        await using GatewayProcess gateway = Start(environment, arguments);
        await gateway.WaitForExitAsync();
        return (gateway.ExitCode, string.Join('\n', gateway.StandardOutput), gateway.Log);
    }

    /// <summary>SIGKILL and return at once.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGKILL, as a power cut would end it (no shutdown code runs), and waits until the process is gone.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Sends a POSIX signal (SIGHUP for a reload).</summary>
    public void Signal(int signal) => Posix.Kill(_process.Pid, signal);

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

    /// <summary>Completes when a log line contains <paramref name="text"/>; fails with the log after <paramref name="timeout"/> or when the gateway exits first.</summary>
    public Task WaitForLogAsync(string text, TimeSpan timeout) => WaitForLogCountAsync(text, 1, timeout);

    /// <summary>The first log line that contains <paramref name="text"/> (e.g. a listener's address with the port it bound).</summary>
    public Task<string> WaitForLogLineAsync(string text, TimeSpan timeout) =>
        WaitAsync(IsLogLine(text), 1, timeout, $"no log line containing '{text}'", PeerProcess.StderrPrefix.Length);

    /// <summary>
    /// The status page's address once the endpoint listens: read from the gateway's own log line (event 1400) with the
    /// port it bound, so a test configures <c>http.listen: 127.0.0.1:0</c> and never hands a port over.
    /// </summary>
    public async Task<Uri> WaitForHttpAsync()
    {
        string line = await WaitForLogLineAsync(HttpListeningText, TestTimeouts.Long);
        return new Uri(HttpListeningLine().Match(line).Groups[1].Value);
    }

    /// <summary>The port of <see cref="WaitForHttpAsync"/>.</summary>
    public async Task<int> WaitForHttpPortAsync() => (await WaitForHttpAsync()).Port;

    /// <summary>Completes when the process has exited by itself and its output is read; fails after <see cref="TestTimeouts.Long"/>.</summary>
    public Task WaitForExitAsync() => _process.WaitForExitAsync();

    /// <summary>Waits until <paramref name="count"/> log lines contain <paramref name="text"/>.</summary>
    public Task WaitForLogCountAsync(string text, int count, TimeSpan timeout) =>
        WaitAsync(IsLogLine(text), count, timeout, count == 1 ? $"no log line containing '{text}'" : $"fewer than {count} log lines containing '{text}'", 0);

    /// <summary>Waits until <paramref name="count"/> stdout lines (upstream console output) start with <paramref name="prefix"/>.</summary>
    public Task WaitForOutputCountAsync(string prefix, int count, TimeSpan timeout) =>
        WaitAsync(l => l.StartsWith(prefix, StringComparison.Ordinal), count, timeout, $"fewer than {count} output lines starting with '{prefix}'", 0);

    public async Task TerminateAsync()
    {
        Posix.Kill(_process.Pid, Posix.SigTerm);
        await _process.WaitForExitAsync();
    }

    public int ExitCode => _process.ExitCode;

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static Func<string, bool> IsLogLine(string text) =>
        l => l.StartsWith(PeerProcess.StderrPrefix, StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal);

    /// <summary>One wait on the gateway's output; a failure (timeout, or the gateway ended first) is a <see cref="TimeoutException"/> with the whole log.</summary>
    private async Task<string> WaitAsync(Func<string, bool> match, int count, TimeSpan timeout, string what, int strip)
    {
        try
        {
            return (await _process.WaitForOutputCountAsync(match, count, timeout))[strip..];
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new TimeoutException($"{what} within {timeout.TotalSeconds}s (exited: {_process.HasExited}); log:\n{Log}", ex);
        }
    }

    [GeneratedRegex(@"Status page, health and metrics on (http://\S+/)")]
    private static partial Regex HttpListeningLine();
}
