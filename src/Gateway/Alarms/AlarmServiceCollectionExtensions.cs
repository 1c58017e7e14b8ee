using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Webhooks;

namespace SmartCity.Edge.Gateway.Alarms;

internal static class AlarmServiceCollectionExtensions
{
    /// <summary>
    /// The alarm engine (restored from the alarm states in <c>buffer.db</c>), the alarm service that commits its transitions, local
    /// actions, webhooks and, with an MQTT upstream, the command service (acks and operator writes). Register after the forwarder and
    /// before processing: hosted services stop in reverse order, so the alarm service drains what processing produced.
    /// </summary>
    public static IServiceCollection AddAlarms(this IServiceCollection services, GatewayConfiguration configuration)
    {
        services.AddSingleton<AlarmEventChannel>();
        services.AddSingleton(sp => new AlarmStateStore(sp.GetRequiredService<SqliteDurableBuffer>(), sp.GetRequiredService<ILogger<AlarmStateStore>>()));
        services.AddSingleton(sp =>
        {
            AlarmStateStore store = sp.GetRequiredService<AlarmStateStore>();
            IReadOnlyList<AlarmSnapshot> restored = store.LoadStates();
            AlarmLog.Restored(
                sp.GetRequiredService<ILogger<AlarmEngine>>(),
                restored.Count,
                store.Path,
                restored.Count(s => s.State is AlarmLifecycle.Active or AlarmLifecycle.Acknowledged));

            // The monitor (status page, /metrics) sees every published transition, and the raised alarms restored.
            PipelineMonitor? monitor = sp.GetService<PipelineMonitor>();
            IAlarmEventSink sink = sp.GetRequiredService<AlarmEventChannel>();
            var engine = new AlarmEngine(
                AlarmDefinition.FromConfiguration(configuration),
                configuration.AlarmOptions,
                sp.GetRequiredService<TimeProvider>(),
                monitor is null ? sink : new MonitoringAlarmEventSink(sink, monitor),
                restored,
                AlarmDefinition.DeviceAlarmSources(configuration));

            // Alarms the engine kept (configured ones, and those kept by devices that still report them) are listed as
            // restored, before the device reports them again; retired ones it has already published as cleared.
            foreach (AlarmSnapshot snapshot in restored)
            {
                if (monitor is not null && engine.Contains(snapshot.AlarmId))
                {
                    AlarmDefinition alarm = engine.DefinitionOf(snapshot.AlarmId);
                    string message = alarm.Kind == AlarmKind.Device
                        ? alarm.MessageTemplate // the device's own text, as last published
                        : AlarmMessageFormatter.Format(alarm, TagValue.None, alarm.TagId, reason: null);
                    monitor.RecordAlarm(alarm, snapshot.State, alarm.TagId, message, TagValue.None, snapshot.Since, snapshot.AcknowledgedBy, engine.OccurrenceOf(snapshot.AlarmId));
                }
            }

            return engine;
        });
        services.AddSingleton<IDeviceAlarmSink>(sp => new DeviceAlarmSink(sp.GetRequiredService<AlarmEngine>()));
        services.AddSingleton<IDeviceStatusObserver>(sp => new AlarmOutputsOnReconnect(sp.GetRequiredService<AlarmEngine>(), new Lazy<AlarmActionRunner>(sp.GetRequiredService<AlarmActionRunner>)));
        services.AddSingleton<AlarmActionRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<AlarmActionRunner>());
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<AlarmService>();
        services.AddHostedService(sp => sp.GetRequiredService<AlarmService>());
        services.AddSingleton<CommandChannel>();
        if (configuration.Upstream.Mqtt is not null)
        {
            services.AddSingleton(_ => new CommandReplayStore(configuration.Gateway.DataDirectory));
            services.AddSingleton<CommandTokenVerifier>();
            services.AddSingleton(sp => new OperatorWrites(
                sp.GetRequiredService<ActiveConfiguration>(),
                sp.GetRequiredService<PipelineMonitor>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<IDeviceOutputs>()));
            services.AddSingleton(sp => new CommandService(
                sp.GetRequiredService<CommandChannel>(),
                sp.GetRequiredService<AlarmEngine>(),
                sp.GetRequiredService<AlarmEventChannel>(),
                sp.GetRequiredService<MqttPublisher>(),
                sp.GetRequiredService<UpstreamTopics>(),
                sp.GetRequiredService<ActiveConfiguration>(),
                sp.GetRequiredService<CommandTokenVerifier>(),
                sp.GetRequiredService<CommandReplayStore>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<CommandService>>(),
                sp.GetService<IDeviceAlarmAcknowledger>(),
                sp.GetRequiredService<OperatorWrites>(),
                sp.GetService<IAuditSink>()));
            services.AddHostedService(sp => sp.GetRequiredService<CommandService>());
        }

        return services;
    }
}
