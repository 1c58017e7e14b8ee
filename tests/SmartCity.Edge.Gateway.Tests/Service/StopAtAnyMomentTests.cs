using System.Globalization;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>
/// systemd stops a service whenever it likes, start-up included: SIGTERM at a spread of moments ends the real binary
/// with exit code 0, without a stack trace or an error line, and nothing it had committed is lost (every seq arrives
/// upstream in the end, across all the stops, from one data directory).
/// </summary>
public sealed class StopAtAnyMomentTests : BrokerTest
{
    private const string Prefix = "smartcity/lab/test-gw";

    /// <summary>
    /// SIGHUP is caught from the last of the registrations <c>run</c> makes first thing (Hosting/StopSignals: SIGTERM,
    /// SIGINT, SIGQUIT, then SIGHUP), so when it is caught the stop handlers are in place. Not SIGCONT: .NET's signal
    /// layer catches that as soon as it initialises, a moment before the SIGTERM registration exists (a few ms of JIT on
    /// a loaded machine, in which a SIGTERM still took the runtime's default, exit 143). Before that moment the process
    /// is the runtime starting up, and a SIGTERM takes the kernel's (or the runtime's) default action, which no program
    /// code can change.
    /// </summary>
    private const int SigHup = 1;

    /// <summary>Fixed offsets after the stop handling is in place: the property is "any moment", so blind times too.</summary>
    private static readonly int[] s_offsetsMs = [0, 2, 5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 400, 500];

    /// <summary>Start-up stages seen in the log: a stop right as each one is reached.</summary>
    private static readonly string[] s_stages =
    [
        "Buffer opened at",
        "alarm states from",
        "(simulator) connected",
        "Connected to MQTT broker",
        "Status page, health and metrics on",
    ];

    [Fact]
    public async Task Sigterm_AtAnyMomentOfStartUp_ExitsZeroWithoutStackTrace_AndLosesNothingCommitted()
    {
        string config = TestConfigs.Write(Directory, TestConfigs.CounterPark(Path.Combine(Directory, "data"), Broker.Port, devices: 2, pollInterval: "10ms")
            + $"""

            http:
              listen: 127.0.0.1:0
            """);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/telemetry/#");

        var failures = new List<string>();
        foreach (int offset in s_offsetsMs)
        {
            await StopOnceAsync(config, $"{offset} ms after the stop handling was installed", failures, async gateway =>
            {
                await WaitUntilCatchingAsync(gateway, SigHup);
                if (offset > 0)
                {
                    await Task.Delay(offset); // the moment under test, not synchronisation
                }
            });
        }

        foreach (string stage in s_stages)
        {
            await StopOnceAsync(config, $"at '{stage}'", failures, gateway => gateway.WaitForLogAsync(stage, TestTimeouts.PeerStart));
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));

        // One more run that is left to forward what the stopped ones committed: every seq from 1 to the last arrives.
        await using (GatewayProcess last = GatewayProcess.Start("run", "--config", config))
        {
            await last.WaitForLogAsync("Connected to MQTT broker", TestTimeouts.Long);
            List<ReceivedMessage> received = await subscriber.CollectUntilAsync(
                r => TelemetryLog.Readings(r).GroupBy(x => x.Device).Count(g => g.Any(x => Value(x.Reading) >= 200)) == 2,
                TestTimeouts.Long);
            await last.TerminateAsync();
            Assert.Equal(0, last.ExitCode);

            List<long> missing = TelemetryLog.MissingSeqs(received);
            Assert.True(missing.Count == 0, $"committed seqs never delivered after the stops: {string.Join(", ", missing.Take(50))}\n{last.Log}");
            TelemetryLog.AssertInOrderPerDevice(received);

            // Within each run a counter goes up by one per poll: a gap would be a reading read but never committed.
            foreach (IGrouping<string, (string Device, long Seq, System.Text.Json.JsonElement Reading)> device in TelemetryLog.Readings(received).GroupBy(x => x.Device))
            {
                long[] values = device.DistinctBy(x => x.Seq).OrderBy(x => x.Seq).Select(x => Value(x.Reading)).ToArray();
                for (int i = 1; i < values.Length; i++)
                {
                    Assert.True(values[i] == values[i - 1] + 1 || values[i] == 0, $"{device.Key}: {values[i - 1]} then {values[i]}");
                }
            }
        }
    }

    private static async Task StopOnceAsync(string config, string moment, List<string> failures, Func<GatewayProcess, Task> waitForMoment)
    {
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);
        try
        {
            await waitForMoment(gateway);
        }
        catch (TimeoutException ex)
        {
            failures.Add($"stop {moment}: the moment never came: {ex.Message}");
            return;
        }

        try
        {
            await gateway.TerminateAsync();
        }
        catch (InvalidOperationException) when (gateway.HasExited)
        {
            await gateway.WaitForExitAsync(); // ended by itself before the stop: reported below with its exit code
        }

        string log = gateway.Log;
        string[] problems = log.Split('\n')
            .Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)
                || l.Contains("Exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal))
            .ToArray();
        if (gateway.ExitCode != 0 || problems.Length > 0)
        {
            failures.Add($"stop {moment}: exit code {gateway.ExitCode.ToString(CultureInfo.InvariantCulture)}; log:\n{log}");
        }
    }

    private static long Value(System.Text.Json.JsonElement reading) => (long)reading.GetProperty("value").GetDouble();

    /// <summary>
    /// Waits until the process catches <paramref name="signal"/> (the SigCgt mask of /proc/PID/status). The bound is a
    /// process start's, not a scenario step's: this is the runtime starting up to the first lines of <c>run</c>, about a
    /// second of CPU, which at a load average of 50–76 on 2 cores (a full suite run) stretched past the 60 s of
    /// <see cref="TestTimeouts.Long"/>.
    /// </summary>
    private static async Task WaitUntilCatchingAsync(GatewayProcess gateway, int signal)
    {
        DateTime deadline = DateTime.UtcNow + TestTimeouts.PeerStart;
        while (true)
        {
            string? line = null;
            try
            {
                line = File.ReadLines($"/proc/{gateway.Id}/status").FirstOrDefault(l => l.StartsWith("SigCgt:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
            }

            if (line is not null && ((ulong.Parse(line["SigCgt:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) >> (signal - 1)) & 1) == 1)
            {
                return;
            }

            if (gateway.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the gateway never caught signal {signal} (exited: {gateway.HasExited}); log:\n{gateway.Log}");
            }

            await Task.Delay(1); // polling a kernel state that offers no notification
        }
    }
}
