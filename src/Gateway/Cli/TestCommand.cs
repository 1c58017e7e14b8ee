using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge test</c>: runs the configured devices through their real drivers once and prints what the service
/// would read — each tag's value, unit, quality, reason and source time — like <c>telegraf --test</c>; then checks the
/// upstream as the service would reach it (<see cref="UpstreamProbe"/>: the broker with its TLS and credentials and the
/// command subscriptions, a marked test delivery to each webhook). Nothing is published to the broker, the buffer is
/// never opened and no output is written (alarm actions are listed, not run).
/// </summary>
/// <remarks>Exit codes: 0 every device answered, every tag is good and every upstream check passed; 1 otherwise; 2 usage or configuration error.</remarks>
internal sealed class TestCommand : ICliCommand
{
    private const int ExitOk = 0;
    private const int ExitNotGood = 1;
    private const int ExitUsage = 2;

    private readonly TimeProvider _time;

    public TestCommand()
        : this(TimeProvider.System)
    {
    }

    public TestCommand(TimeProvider time) => _time = time;

    public string Name => "test";

    public string Usage =>
        "test [--config FILE] [--device ID…] [--wait 2s] [--timeout 15s] [--no-upstream] [--json]\n" +
        "    connect to the configured devices, poll each once and print every tag's value, unit, quality and reason,\n" +
        "    and the alarm rules these values trip; then connect to the broker (TLS, credentials, command subscriptions;\n" +
        "    client id CLIENT_ID-test) and post a marked test delivery to each webhook (--no-upstream skips that).\n" +
        "    Nothing is published, buffered or written. Subscribed/edge tags get --wait for their first value; --timeout\n" +
        "    bounds each device's connect and poll. Exit 0 all good, 1 a device, tag or upstream check failed, 2 usage\n" +
        "    or configuration error";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var arguments = new TestArguments();
        if (!arguments.TryParse(args, out string? error))
        {
            Console.Error.WriteLine("test: " + error);
            Console.Error.WriteLine("usage: smartcity-edge " + Usage.Split('\n')[0]);
            return ExitUsage;
        }

        if (arguments.Help)
        {
            Console.WriteLine("usage: smartcity-edge " + Usage);
            return ExitOk;
        }

        // The same loader and problem list as run and validate; exit 2 rather than validate's 1, because 1 here means
        // "a device or tag is not good" and a script must tell the two apart.
        ConfigurationLoadResult result = ConfigArguments.Load(arguments.ConfigFile is { } file ? ["--config", file] : []);
        if (result.Configuration is not { } configuration)
        {
            ConfigArguments.PrintProblems(result.Problems, Console.Error);
            return ExitUsage;
        }

        if (!TrySelect(configuration, arguments.Devices, out IReadOnlyList<DeviceConfiguration> devices))
        {
            return ExitUsage;
        }

        DeviceProbeResult[] results;
        using (ILoggerFactory loggerFactory = CreateLoggerFactory())
        {
            // The configured data_dir, as the service uses it: OPC UA finds (or on first use creates) its certificate
            // and trust lists under {data_dir}/pki. No device-alarm sink: device-kept alarms are not watched.
            var context = new DriverContext(loggerFactory, _time, configuration.Gateway.DataDirectory);
            var probe = new DeviceProbe(context, arguments.Timeout, arguments.Wait, Console.Error);

            // Concurrently, each on the thread pool as the supervisor starts them: a driver that blocks in its
            // synchronous part, or a device that does not answer, does not delay the others.
            results = await Task.WhenAll(devices.Select(d => Task.Run(() => probe.RunAsync(d, cancellationToken), CancellationToken.None)));
        }

        IReadOnlyList<AlarmPreviewEntry> alarms = AlarmPreview.Evaluate(configuration, results);
        IReadOnlyList<UpstreamCheck>? upstream = arguments.NoUpstream
            ? null
            : await new UpstreamProbe(configuration, _time, arguments.Timeout).RunAsync(cancellationToken);
        bool ok = results.All(r => r.AllGood) && (upstream?.All(u => u.Ok) ?? true);
        if (arguments.Json)
        {
            TestReportJson.Write(Console.Out, configuration.SourceFile, ok, results, alarms, upstream);
        }
        else
        {
            TestReportText.Write(Console.Out, results, alarms, upstream, configuration.Upstream.Mqtt is { } mqtt ? UpstreamProbe.TestClientId(mqtt) : null);
        }

        return ok ? ExitOk : ExitNotGood;
    }

    private static bool TrySelect(GatewayConfiguration configuration, List<string> ids, out IReadOnlyList<DeviceConfiguration> devices)
    {
        devices = configuration.Devices;
        if (ids.Count == 0)
        {
            return true;
        }

        string[] unknown = ids.Where(id => !configuration.Devices.Any(d => d.Id == id)).ToArray();
        if (unknown.Length > 0)
        {
            Console.Error.WriteLine(
                $"test: {configuration.SourceFile} has no device {string.Join(", ", unknown.Select(u => $"'{u}'"))}; " +
                $"its devices are: {string.Join(", ", configuration.Devices.Select(d => d.Id))}");
            return false;
        }

        devices = configuration.Devices.Where(d => ids.Contains(d.Id)).ToArray();
        return true;
    }

    private static ILoggerFactory CreateLoggerFactory() => LoggerFactory.Create(builder =>
    {
        // Drivers' warnings and errors (a tag the server reports bad, a path that does not resolve) go to stderr,
        // formatted as the service logs them; the table or JSON on stdout stays clean for scripts.
        builder.SetMinimumLevel(LogLevel.Warning);
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
    });
}
