using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Http;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Json;
using SmartCity.Edge.Gateway.Upstream.Sparkplug;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>Builds the generic host for a validated configuration.</summary>
internal static class GatewayHost
{
    /// <summary>The driver factories, without a host, for loading and validating a configuration.</summary>
    public static IReadOnlyList<IDriverFactory> CreateDriverFactories()
    {
        using ServiceProvider provider = new ServiceCollection().AddAllDrivers().BuildServiceProvider();
        return provider.GetServices<IDriverFactory>().ToArray();
    }

    public static IHost Build(GatewayConfiguration configuration, TextWriter? consoleOutput = null, HttpListenOverride? httpListen = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = false,
        });

        // Published messages go to stdout when upstream.console is on; keep logs on stderr so the two never mix.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSystemd();
        builder.Services.AddWindowsService(o => o.ServiceName = "smartcity-edge");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));

        IServiceCollection services = builder.Services;
        services.AddAllDrivers();
        services.AddSingleton(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new ActiveConfiguration(configuration));
        services.AddSingleton<PipelineMonitor>();
        services.AddSingleton<ReadinessCheck>();
        services.AddSingleton<MetricsReport>();
        services.AddSingleton<StatusReport>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IAuditSink, AuditService>();
        services.AddSingleton<ReadingChannel>();
        services.AddSingleton(new UpstreamTopics(configuration.Upstream.TopicPrefix));
        // The buffer keeps a cursor for each upstream registered here (by its stable name).
        services.AddSingleton(sp => new SqliteDurableBuffer(
            configuration.Buffer with
            {
                Upstreams = sp.GetServices<UpstreamTarget>().Select(u => u.Name)
                    .Concat(configuration.Upstream.Sparkplug is null ? [] : [BufferRecordSource.UpstreamName])
                    .ToArray(),
            },
            sp.GetRequiredService<ILogger<SqliteDurableBuffer>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDurableBuffer>(sp => sp.GetRequiredService<SqliteDurableBuffer>());

        if (configuration.Upstream.Mqtt is { } mqtt)
        {
            services.AddSingleton(sp => new MqttPublisher(mqtt, sp.GetRequiredService<UpstreamTopics>(), sp.GetRequiredService<ILogger<MqttPublisher>>(), sp.GetRequiredService<CommandChannel>()));
            services.AddSingleton(sp => new UpstreamTarget("mqtt", sp.GetRequiredService<MqttPublisher>(), JsonEncoder(sp, mqtt.MaxBatch)));
        }

        if (configuration.Upstream.Console)
        {
            services.AddSingleton(sp => new UpstreamTarget("console", new ConsolePublisher(consoleOutput ?? Console.Out), JsonEncoder(sp, configuration.Upstream.Mqtt?.MaxBatch ?? 500)));
        }

        // Hosted services stop in reverse order: devices first, then processing drains and commits what they read,
        // then the forwarder stops.
        services.AddSingleton<ForwarderService>();
        services.AddHostedService(sp => sp.GetRequiredService<ForwarderService>());
        if (configuration.Upstream.Sparkplug is { } sparkplug)
        {
            // Its own loop over the buffer, with its own cursor (see SparkplugService).
            services.AddSingleton(sp => new SparkplugService(
                sparkplug,
                configuration,
                sp.GetRequiredService<IDurableBuffer>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<SparkplugService>>(),
                sp.GetService<SparkplugWriteChannel>()));
            services.AddHostedService(sp => sp.GetRequiredService<SparkplugService>());
            services.AddSingleton<IUpstreamConnection>(sp => sp.GetRequiredService<SparkplugService>());
            if (sparkplug.Commands)
            {
                // DCMD writes (upstream.sparkplug.commands): the same write rules and audit trail as signed writes.
                services.AddSingleton<SparkplugWriteChannel>();
                services.AddSingleton<SparkplugWriteService>();
                services.AddHostedService(sp => sp.GetRequiredService<SparkplugWriteService>());
            }
        }

        services.AddAlarms(configuration);
        services.AddCommands(configuration);
        services.AddSingleton<ProcessingService>();
        services.AddHostedService(sp => sp.GetRequiredService<ProcessingService>());
        services.AddSingleton<DeviceSupervisorService>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceSupervisorService>());
        services.AddSingleton<IDeviceOutputs>(sp => sp.GetRequiredService<DeviceSupervisorService>());
        services.AddSingleton<IDeviceAlarmAcknowledger>(sp => sp.GetRequiredService<DeviceSupervisorService>());

        // Registered after the devices: stops before them, so no trap reaches a stopped device's sink.
        services.AddHostedService<SnmpTrapService>();

        services.AddSingleton(_ => new SystemdNotifier(Environment.GetEnvironmentVariable));
        services.AddSingleton<PipelineProgress>();
        services.AddHostedService<WatchdogService>();
        services.AddHostedService<ConfigReloadService>();

        // Started after the pipeline (so /readyz never answers for a half-built one), stopped before it.
        if (httpListen is not null)
        {
            services.AddSingleton(httpListen);
        }

        services.AddSingleton<HttpEndpointService>();
        services.AddHostedService(sp => sp.GetRequiredService<HttpEndpointService>());
        return builder.Build();
    }

    private static JsonUpstreamEncoder JsonEncoder(IServiceProvider services, int maxBatch) =>
        new(services.GetRequiredService<UpstreamTopics>(), services.GetRequiredService<GatewayConfiguration>().Gateway.Id, maxBatch);
}
