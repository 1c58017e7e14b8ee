using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MQTTnet;
using MQTTnet.Protocol;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Bench.Alarms;

/// <summary>
/// Alarm latency end to end: the whole gateway host (device supervisor → processing → alarm engine → alarm service →
/// durable buffer → MQTT forwarder) with the simulator driver, against a local mosquitto. Each round writes the
/// simulated tag through <see cref="IDeviceOutputs"/> (the value changes at the device) and stops the clock when an
/// MQTT subscriber receives the alarm message. The latency therefore includes the wait for the next poll (uniform in
/// [0, poll interval]); the target is p99 below poll interval + 50 ms. With <c>--driver modbus</c> the device is a
/// real libmodbus server (tests/peers/modbus) polled by the modbus-tcp driver, and the change is a register write
/// (function 06) on that server through the same driver.
/// </summary>
internal sealed class AlarmLatencyBenchmark : IBenchmark
{
    private const string Prefix = "smartcity/bench/alarm-bench";

    public string Name => "alarms";

    public string Description => "alarm latency p50/p99 from a value change to the MQTT alarm message [--alarms 1000] [--poll 100ms] [--driver simulator|modbus]";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int alarms = BenchEnvironment.IntOption(args, "--alarms", 1000);
        string poll = BenchEnvironment.Option(args, "--poll", "100ms");
        string driver = BenchEnvironment.Option(args, "--driver", "simulator");
        string directory = Directory.CreateTempSubdirectory("edge-bench-alarms-").FullName;
        await using LocalMosquitto broker = await LocalMosquitto.StartAsync(cancellationToken);
        int port = broker.Port;

        // Keep the host's per-transition Information logs off the console: 2,000 lines would measure the terminal.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        Process? modbusServer = null;
        try
        {
            string device;
            if (driver == "modbus")
            {
                (modbusServer, int modbusPort) = await StartLibmodbusServerAsync(cancellationToken);
                device = $"""
                      - id: bench
                        driver: modbus-tcp
                        host: 127.0.0.1
                        port: {modbusPort}
                        unit_id: 1
                        poll_interval: {poll}
                        tags:
                          - id: level
                            address: holding:500
                            type: uint16
                    """;
            }
            else
            {
                device = $"""
                      - id: bench
                        driver: simulator
                        poll_interval: {poll}
                        tags:
                          - id: level
                            signal: constant
                            value: 0
                    """;
            }

            (double[] raise, double[] clear, double[] pipeline) = await MeasureAsync(directory, port, device, alarms, cancellationToken);
            double pollMs = DurationParserMs(poll);
            string command = $"dotnet run -c Release --project bench/SmartCity.Edge.Bench -- alarms --alarms {alarms} --poll {poll} --driver {driver}";
            string setup = driver == "modbus"
                ? "The device is a real **libmodbus server** (tests/peers/modbus, `make -C tests/peers/modbus`) polled over Modbus TCP by our `modbus-tcp` driver; each change is a register write (function 06) on that server through the same driver."
                : "The device is the **simulator driver**; each change is a write of the simulated tag.";
            string markdown = $"""
                ## Alarm latency: value change → MQTT alarm message (issue 6), {driver}

                `{command}` — {BenchmarkReport.MachineLine()}, mosquitto on loopback.

                The whole gateway host in-process. {setup} Each round writes the
                tag through `IDeviceOutputs`, then waits for the subscriber (QoS 1, same machine) to receive the
                `active` message; then the same for `cleared`. Poll interval {poll}, so every latency includes the wait
                for the next poll (uniform in [0, {poll}]). Path: supervisor poll → processing → alarm engine → alarm
                service → durable buffer (SQLite WAL, `synchronous=FULL`) → forwarder → mosquitto → subscriber; the
                alarm state and webhook outbox commit to `alarms.db` alongside.

                | transition | count | p50 | p99 | max | target p99 |
                |---|---|---|---|---|---|
                | active | {raise.Length:N0} | {Percentile(raise, 0.50):0.0} ms | **{Percentile(raise, 0.99):0.0} ms** | {raise.Max():0.0} ms | < {pollMs + 50:0} ms |
                | cleared | {clear.Length:N0} | {Percentile(clear, 0.50):0.0} ms | {Percentile(clear, 0.99):0.0} ms | {clear.Max():0.0} ms | < {pollMs + 50:0} ms |

                Without the poll wait — from the sample's timestamp (the alarm's `ts`, millisecond resolution) to the
                subscriber, both transitions: p50 {Percentile(pipeline, 0.50):0.0} ms, p99 {Percentile(pipeline, 0.99):0.0} ms,
                max {pipeline.Max():0.0} ms. Each change is made at a random phase of the poll cycle.
                """;
            Console.WriteLine(markdown);
            BenchmarkReport.WriteSection(driver == "modbus" ? "alarms-modbus" : "alarms", markdown);
            return 0;
        }
        finally
        {
            if (modbusServer is not null)
            {
                modbusServer.Kill();
                await modbusServer.WaitForExitAsync(CancellationToken.None);
                modbusServer.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(double[] Raise, double[] Clear, double[] Pipeline)> MeasureAsync(string directory, int port, string device, int alarms, CancellationToken cancellationToken)
    {
        string yaml = $"""
            gateway:
              id: alarm-bench
              data_dir: {directory}/data
            devices:
            {device}
            alarms:
              - id: level-high
                tag: bench/level
                above: 0.5
                severity: critical
            alarm_options:
              max_transitions: 0
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{port}
                client_id: alarm-bench
                topic_prefix: {Prefix}
            """;
        var loader = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories());
        ConfigurationLoadResult loaded = loader.Load(yaml, "bench.yaml", directory);
        GatewayConfiguration configuration = loaded.Configuration
            ?? throw new InvalidOperationException(string.Join('\n', loaded.Problems.Ordered()));

        var states = Channel.CreateUnbounded<(string State, long At, double SampleToReceiveMs)>();
        using IMqttClient subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            long at = Stopwatch.GetTimestamp();
            DateTimeOffset now = DateTimeOffset.UtcNow;
            using JsonDocument json = JsonDocument.Parse(e.ApplicationMessage.Payload);
            DateTimeOffset sampled = DateTimeOffset.Parse(json.RootElement.GetProperty("ts").GetString()!, CultureInfo.InvariantCulture);
            states.Writer.TryWrite((json.RootElement.GetProperty("state").GetString()!, at, (now - sampled).TotalMilliseconds));
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("bench-sub").Build(), cancellationToken);
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Prefix + "/alarms", MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

        using IHost host = GatewayHost.Build(configuration);
        await host.StartAsync(cancellationToken);
        IDeviceOutputs outputs = host.Services.GetRequiredService<IDeviceOutputs>();
        var raise = new double[alarms];
        var clear = new double[alarms];
        var pipeline = new double[alarms * 2];
        var random = new Random(6);
        int pollMs = (int)configuration.Devices[0].Descriptor.PollInterval.TotalMilliseconds;
        try
        {
            for (int i = 0; i < alarms; i++)
            {
                // A random pause puts each change at a random phase of the poll cycle (else every change would come
                // just after a poll, the one that delivered the previous alarm, and wait a whole interval).
                await Task.Delay(random.Next(0, pollMs), cancellationToken);
                (raise[i], pipeline[2 * i]) = await RoundAsync(outputs, states.Reader, 1, "active", cancellationToken);
                await Task.Delay(random.Next(0, pollMs), cancellationToken);
                (clear[i], pipeline[(2 * i) + 1]) = await RoundAsync(outputs, states.Reader, 0, "cleared", cancellationToken);
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        return (raise, clear, pipeline);
    }

    private static async Task<(double Latency, double SampleToReceive)> RoundAsync(
        IDeviceOutputs outputs, ChannelReader<(string State, long At, double SampleToReceiveMs)> states, double value, string expected, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        long start = 0;
        while (true)
        {
            try
            {
                start = Stopwatch.GetTimestamp();
                await outputs.WriteAsync("bench", "level", TagValue.FromDouble(value), timeout.Token);
                break;
            }
            catch (DeviceException)
            {
                await Task.Delay(50, timeout.Token); // not connected yet (first round)
            }
        }

        while (true)
        {
            (string state, long at, double sampleToReceive) = await states.ReadAsync(timeout.Token);
            if (state == expected)
            {
                return (Stopwatch.GetElapsedTime(start, at).TotalMilliseconds, sampleToReceive);
            }
        }
    }

    /// <summary>Starts tests/peers/modbus/build/libmodbus_server on a free port and waits for its READY line.</summary>
    private static async Task<(Process Server, int Port)> StartLibmodbusServerAsync(CancellationToken cancellationToken)
    {
        string server = Path.Combine(BenchEnvironment.RepositoryRoot, "tests", "peers", "modbus", "build", "libmodbus_server");
        if (!File.Exists(server))
        {
            throw new InvalidOperationException($"{server} is missing: run tests/peers/install.sh (or make -C tests/peers/modbus)");
        }

        Process process = Process.Start(new ProcessStartInfo(server, ["tcp", "0", "--quiet"]) { RedirectStandardOutput = true })!;
        string? line = await process.StandardOutput.ReadLineAsync(cancellationToken);
        if (line is null || !line.StartsWith("READY port=", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"libmodbus_server did not start: {line}");
        }

        return (process, int.Parse(line["READY port=".Length..], CultureInfo.InvariantCulture));
    }

    private static double Percentile(double[] values, double p)
    {
        double[] sorted = values.Order().ToArray();
        int index = Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index];
    }

    private static double DurationParserMs(string text) =>
        SmartCity.Edge.Drivers.Configuration.DurationParser.TryParse(text, out TimeSpan duration) ? duration.TotalMilliseconds : double.NaN;
}
