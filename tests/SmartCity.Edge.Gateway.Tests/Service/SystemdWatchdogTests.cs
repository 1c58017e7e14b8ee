using Microsoft.Data.Sqlite;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// sd_notify against a socket of the test, the way systemd runs the unit (Type=notify, WatchdogSec=): READY=1 once
/// the pipeline is up, WATCHDOG=1 at half of WATCHDOG_USEC while it makes progress, and no pings once it is wedged.
/// </summary>
public sealed class SystemdWatchdogTests : IDisposable
{
    // WATCHDOG_USEC=1s: a ping every 0.5 s, so "the pings stopped" is provable in a few seconds.
    private const string WatchdogUsec = "1000000";
    private static readonly TimeSpan s_ping = TimeSpan.FromMilliseconds(500);
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-watchdog-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Gateway_UnderNotifySocket_SendsReadyThenWatchdogPings_AndWithholdsThemWhileTheBufferIsLocked()
    {
        using var notify = new NotifySocket();
        string config = TestConfigs.Write(_directory, $"""
            gateway:
              id: watchdog-gw
              data_dir: {_directory}/data
            devices:
              - id: counter-1
                driver: simulator
                poll_interval: 20ms
                tags:
                  - id: count
                    signal: counter
                    min: 0
                    max: 1000000000
            upstream:
              console: true
            http:
              listen: 127.0.0.1:0
            """);
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = WatchdogUsec };
        await using GatewayProcess gateway = GatewayProcess.Start(environment, "run", "--config", config);
        int port = await gateway.WaitForHttpPortAsync();

        await notify.WaitForAsync("READY=1", TestTimeouts.Long);
        for (int i = 0; i < 3; i++)
        {
            await notify.WaitForAsync("WATCHDOG=1", TestTimeouts.Short);
        }

        // Wedge the pipeline for real: another process takes SQLite's write lock on the buffer database, as a
        // stuck backup tool or a hung disk would. Commits block and fail; readings pile up in the channel.
        await using var blocker = new SqliteConnection($"Data Source={Path.Combine(_directory, "data", "buffer.db")};Pooling=False");
        await blocker.OpenAsync();
        await using (SqliteCommand begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE;";
            await begin.ExecuteNonQueryAsync();
        }

        // Pings already decided may still arrive; then there must be a silence of many ping intervals.
        TimeSpan silence = s_ping * 8;
        DateTime deadline = DateTime.UtcNow + TestTimeouts.Short;
        while (true)
        {
            string? message = await notify.ReceiveAsync(silence);
            if (message is null)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"watchdog pings continued while the buffer was locked:\n{gateway.Log}");
        }

        await gateway.WaitForLogAsync("Pipeline stalled: processing committed nothing", TestTimeouts.Short);
        Assert.False(gateway.HasExited);

        // Readiness says so too, naming the buffer (a commit waits longer than its 10 s limit).
        using var http = new HttpClient();
        string readyz = string.Empty;
        DateTime readyDeadline = DateTime.UtcNow + TestTimeouts.Short + TimeSpan.FromSeconds(10);
        while (!readyz.Contains("buffer not writable", StringComparison.Ordinal) && DateTime.UtcNow < readyDeadline)
        {
            using HttpResponseMessage response = await http.GetAsync($"http://127.0.0.1:{port}/readyz");
            readyz = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.ServiceUnavailable);
            await Task.Delay(250);
        }

        // The worst state with its short reason on the first line, then each problem in full (docs/service.md).
        Assert.StartsWith("not ready: buffer not writable\n- buffer not writable", readyz, StringComparison.Ordinal);

        // Unwedge: pings resume without a restart.
        await using (SqliteCommand rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        await blocker.CloseAsync();
        await notify.WaitForAsync("WATCHDOG=1", TestTimeouts.Long);
        await gateway.WaitForLogAsync("watchdog pings resumed", TestTimeouts.Short);

        await gateway.TerminateAsync();
        Assert.Equal(0, gateway.ExitCode);
    }

    [Fact]
    public async Task Gateway_WithoutWatchdogUsec_SendsReadyOnlyAndStoppingOnSigterm()
    {
        using var notify = new NotifySocket();
        string config = TestConfigs.Write(_directory, $"""
            gateway:
              id: notify-gw
              data_dir: {_directory}/data
            devices:
              - id: counter-1
                driver: simulator
                poll_interval: 100ms
                tags:
                  - id: count
                    signal: counter
            upstream:
              console: true
            http:
              enabled: false
            """);
        await using GatewayProcess gateway = GatewayProcess.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path }, "run", "--config", config);

        List<string> untilReady = await notify.WaitForAsync("READY=1", TestTimeouts.Long);
        Assert.DoesNotContain(untilReady, m => m.Contains("WATCHDOG=1", StringComparison.Ordinal));
        Posix.Kill(gateway.Id, Posix.SigTerm);
        List<string> untilStopping = await notify.WaitForAsync("STOPPING=1", TestTimeouts.Short);
        Assert.DoesNotContain(untilStopping, m => m.Contains("WATCHDOG=1", StringComparison.Ordinal));
    }
}
