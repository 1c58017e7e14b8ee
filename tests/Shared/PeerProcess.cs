using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SmartCity.Edge.Tests;

/// <summary>
/// A real peer process started by a test (pymodbus, libmodbus, node-opcua, socat, snmpd, snmpsim, the Python and
/// Node peers of tests/peers): every output line is kept as it comes, readiness and events are awaited on a line
/// (never slept on), and dispose kills the whole process tree by its PID.
/// <para>
/// Output: <see cref="Output"/> holds every line in arrival order, standard error prefixed <c>stderr: </c> (socat and
/// snmpsim report on it); <see cref="WaitForOutputAsync"/> awaits one of them. Peers that bind port 0 print
/// <c>READY port=N</c> (or <c>READY N</c>) once they listen: <see cref="StartAsync"/> waits for it and sets
/// <see cref="Port"/>, so the port is handed over without a gap (see <see cref="FreePort"/>); <see cref="Lines"/> and
/// <see cref="WaitForLineAsync"/> then see the peer's standard output after that line (its requests, its events).
/// </para>
/// Standard input stays open: some peers (node-opcua's server.js) stop when it closes, i.e. when the test dies.
/// Linked into both test projects (tests/Shared).
/// </summary>
internal sealed partial class PeerProcess : IAsyncDisposable
{
    /// <summary>What <see cref="Output"/> puts before a line of standard error.</summary>
    public const string StderrPrefix = "stderr: ";
    private static readonly SemaphoreSlim s_build = new(1, 1);

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _stdout = [];
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _stderrLines = [];
    private readonly List<Waiter> _waiters = [];
    private int _afterReady;
    private int _openStreams = 2;
    private int _disposed;

    private PeerProcess(Process process) => _process = process;

    /// <summary>The repository's tests/peers folder.</summary>
    public static string PeersDirectory => RepositoryPaths.Peers;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The port from the peer's <c>READY</c> line (<see cref="StartAsync"/>); 0 for a peer started without waiting.</summary>
    public int Port { get; private set; }

    /// <summary>Standard error so far.</summary>
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

    /// <summary>Standard error lines so far, without the prefix <see cref="Output"/> gives them.</summary>
    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (_output)
            {
                return [.. _stderrLines];
            }
        }
    }

    /// <summary>Standard output lines after the READY line (pymodbus: one <c>REQ fc=…</c> per request); all of them without one.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_output)
            {
                return _stdout.GetRange(_afterReady, _stdout.Count - _afterReady);
            }
        }
    }

    /// <summary>Every line so far, standard error prefixed <c>stderr: </c>, in arrival order.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>Lines of <see cref="Output"/> so far: an index for <see cref="WaitForOutputAsync"/> and <see cref="LinesFrom"/>.</summary>
    public int OutputCount
    {
        get
        {
            lock (_output)
            {
                return _output.Count;
            }
        }
    }

    /// <summary>Starts the peer and returns at once; await its readiness with <see cref="WaitForOutputAsync"/>.</summary>
    public static PeerProcess Start(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Start(info);
    }

    /// <summary>Starts the peer described by <paramref name="info"/> (environment, working directory); output and input are redirected here.</summary>
    public static PeerProcess Start(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        var process = new Process { StartInfo = info };
        var peer = new PeerProcess(process);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data, stdout: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>
    /// Starts a peer from tests/peers that prints <c>READY port=N</c> (or <c>READY N</c>) once it listens, and
    /// returns when it has; fails after <see cref="TestTimeouts.PeerStart"/> or when the peer exits first.
    /// </summary>
    public static async Task<PeerProcess> StartAsync(string executable, params string[] arguments)
    {
        PeerProcess peer = Start(executable, arguments);
        try
        {
            await peer.WaitForReadyAsync();
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the peer's <c>READY</c> line (again, after a restart of the same object's peer is not possible: start a new one).</summary>
    public async Task<int> WaitForReadyAsync()
    {
        string ready = await WaitForOutputAsync(l => ReadyLine().IsMatch(l), 0, TestTimeouts.PeerStart);
        lock (_output)
        {
            _afterReady = _stdout.IndexOf(ready) + 1;
        }

        Port = int.Parse(ReadyLine().Match(ready).Groups[1].Value, CultureInfo.InvariantCulture);
        return Port;
    }

    /// <summary>The libmodbus server of tests/peers/modbus, built by install.sh (or here, for a developer running the tests directly).</summary>
    public static async Task<string> LibmodbusServerAsync()
    {
        string peers = Path.Combine(PeersDirectory, "modbus");
        string binary = Path.Combine(peers, "build", "libmodbus_server");
        await s_build.WaitAsync();
        try
        {
            if (!File.Exists(binary))
            {
                await using PeerProcess make = Start("make", "-s", "-C", peers);
                await make.WaitForExitAsync();
            }
        }
        finally
        {
            s_build.Release();
        }

        return File.Exists(binary) ? binary : throw new InvalidOperationException("libmodbus_server missing; run tests/peers/install.sh");
    }

    /// <summary>Lines of <see cref="Output"/> so far that start with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> OutputStartingWith(string prefix)
    {
        lock (_output)
        {
            return _output.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        }
    }

    /// <summary>Index in <see cref="Output"/> of the first line at or after <paramref name="fromIndex"/> that matches, or -1.</summary>
    public int IndexOfLine(Func<string, bool> match, int fromIndex)
    {
        lock (_output)
        {
            for (int i = fromIndex; i < _output.Count; i++)
            {
                if (match(_output[i]))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>Lines of <see cref="Output"/> from <paramref name="index"/> on.</summary>
    public IReadOnlyList<string> LinesFrom(int index)
    {
        lock (_output)
        {
            return _output.GetRange(index, _output.Count - index);
        }
    }

    /// <summary>
    /// The first line of <see cref="Output"/> at or after <paramref name="fromIndex"/> (past or future) that matches;
    /// fails when the peer's output ends first, or after <paramref name="timeout"/> (<see cref="TestTimeouts.Passing"/>).
    /// </summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> match, int fromIndex = 0, TimeSpan? timeout = null) =>
        WaitAsync(match, fromIndex, stdoutOnly: false, timeout ?? TestTimeouts.Passing, count: 1);

    /// <summary>
    /// The <paramref name="count"/>th line of <see cref="Output"/> (past or future) that matches; fails when the
    /// peer's output ends first, or after <paramref name="timeout"/>.
    /// </summary>
    public Task<string> WaitForOutputCountAsync(Func<string, bool> match, int count, TimeSpan timeout) =>
        WaitAsync(match, 0, stdoutOnly: false, timeout, count);

    /// <summary>The first line of <see cref="Lines"/> (past or future) that matches; fails after <paramref name="timeout"/>.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        int from;
        lock (_output)
        {
            from = _afterReady;
        }

        return WaitAsync(match, from, stdoutOnly: true, timeout, count: 1);
    }

    /// <summary>Writes one line to the peer's standard input (peers that take commands, e.g. the Sparkplug host).</summary>
    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public Task WaitForExitAsync() => _process.WaitForExitAsync().WaitAsync(TestTimeouts.ProcessExit);

    /// <summary>Kills the peer (SIGKILL, by PID: no goodbye on the wire) and returns at once.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Kills the peer (SIGKILL, by PID: no goodbye on the wire) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        Kill();
        await WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private Task<string> WaitAsync(Func<string, bool> match, int fromIndex, bool stdoutOnly, TimeSpan timeout, int count)
    {
        var waiter = new Waiter(match, stdoutOnly, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)) { Remaining = count };
        lock (_output)
        {
            List<string> lines = stdoutOnly ? _stdout : _output;
            for (int i = fromIndex; i < lines.Count; i++)
            {
                if (match(lines[i]) && --waiter.Remaining == 0)
                {
                    return Task.FromResult(lines[i]);
                }
            }

            if (_openStreams == 0)
            {
                return Task.FromException<string>(Ended());
            }

            _waiters.Add(waiter);
        }

        return WithTimeoutAsync(waiter, timeout);
    }

    private async Task<string> WithTimeoutAsync(Waiter waiter, TimeSpan timeout)
    {
        try
        {
            return await waiter.Done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            lock (_output)
            {
                _waiters.Remove(waiter);
                throw new TimeoutException($"{_process.StartInfo.FileName}: no matching line within {timeout.TotalSeconds}s; last lines: {string.Join(" | ", _output.TakeLast(8))}");
            }
        }
    }

    private void OnLine(string? line, bool stdout)
    {
        List<(TaskCompletionSource<string> Done, string Line)> fire = [];
        List<TaskCompletionSource<string>> fail = [];
        lock (_output)
        {
            if (line is null)
            {
                // Fail the waits only when both pipes have ended: the exit may come before the last lines are read.
                if (--_openStreams == 0)
                {
                    fail = [.. _waiters.Select(w => w.Done)];
                    _waiters.Clear();
                }
            }
            else
            {
                if (!stdout)
                {
                    _stderrLines.Add(line);
                    lock (_stderr)
                    {
                        _stderr.AppendLine(line);
                    }
                }

                string kept = stdout ? line : StderrPrefix + line;
                _output.Add(kept);
                if (stdout)
                {
                    _stdout.Add(line);
                }

                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    Waiter waiter = _waiters[i];
                    if ((stdout || !waiter.StdoutOnly) && waiter.Match(waiter.StdoutOnly ? line : kept) && --waiter.Remaining == 0)
                    {
                        fire.Add((waiter.Done, waiter.StdoutOnly ? line : kept));
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        fire.ForEach(f => f.Done.TrySetResult(f.Line));
        Exception ended = Ended();
        fail.ForEach(f => f.TrySetException(ended));
    }

    private InvalidOperationException Ended() =>
        new($"{_process.StartInfo.FileName} ended its output{(_process.HasExited ? $" (exit code {_process.ExitCode})" : string.Empty)} before the awaited line; stderr: {Stderr}");

    [GeneratedRegex(@"^READY (?:port=)?(\d+)")]
    private static partial Regex ReadyLine();

    private sealed record Waiter(Func<string, bool> Match, bool StdoutOnly, TaskCompletionSource<string> Done)
    {
        /// <summary>Matching lines still to come before the wait is over.</summary>
        public int Remaining { get; set; }
    }
}
