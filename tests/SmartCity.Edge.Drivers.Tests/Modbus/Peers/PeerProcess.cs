using System.Diagnostics;
using System.Text;

namespace SmartCity.Edge.Drivers.Tests.Modbus.Peers;

/// <summary>
/// A real peer process started by a test: stdout lines are collected as they come, readiness and events are awaited
/// (never slept on), and the process is stopped by its PID.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    private PeerProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    public static PeerProcess Start(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => peer.OnError(e.Data);
        process.Exited += (_, _) => peer.OnExit();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Lines so far that start with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> Lines(string prefix)
    {
        lock (_lines)
        {
            return _lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        }
    }

    /// <summary>Lines (stdout and stderr) received so far; an index for <see cref="WaitForLineAsync"/> and <see cref="LinesFrom"/>.</summary>
    public int LineCount
    {
        get
        {
            lock (_lines)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Index of the first line at or after <paramref name="fromIndex"/> that matches, or -1.</summary>
    public int IndexOfLine(Func<string, bool> match, int fromIndex)
    {
        lock (_lines)
        {
            int found = _lines.Skip(fromIndex).ToList().FindIndex(l => match(l));
            return found < 0 ? -1 : fromIndex + found;
        }
    }

    public IReadOnlyList<string> LinesFrom(int index)
    {
        lock (_lines)
        {
            return _lines.GetRange(index, _lines.Count - index);
        }
    }

    /// <summary>Completes with the first line at or after <paramref name="fromIndex"/> (past or future) that matches.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, int fromIndex = 0, TimeSpan? timeout = null)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            string? existing = _lines.Skip(fromIndex).FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            if (_process.HasExited)
            {
                return Task.FromException<string>(new InvalidOperationException($"peer exited ({_process.ExitCode}) before the awaited line; stderr: {Stderr}"));
            }

            _waiters.Add((match, done));
        }

        return done.Task.WaitAsync(timeout ?? Generous);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync().WaitAsync(Generous);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    public Task WaitForExitAsync() => _process.WaitForExitAsync().WaitAsync(Generous);

    /// <summary>Kills the peer (SIGKILL, by PID) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(Generous);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>> fire = [];
        lock (_lines)
        {
            _lines.Add(line);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    fire.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        fire.ForEach(f => f.TrySetResult(line));
    }

    /// <summary>Stderr lines are kept too, prefixed <c>stderr: </c>, so a test can await a tool's diagnostics (socat).</summary>
    private void OnError(string? line)
    {
        if (line is not null)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }

            OnLine("stderr: " + line);
        }
    }

    private void OnExit()
    {
        List<TaskCompletionSource<string>> fail;
        lock (_lines)
        {
            fail = [.. _waiters.Select(w => w.Done)];
            _waiters.Clear();
        }

        fail.ForEach(f => f.TrySetException(new InvalidOperationException("peer exited; stderr: " + Stderr)));
    }
}
