using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Audit;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Commands;

internal static class CommandServiceCollectionExtensions
{
    /// <summary>
    /// Operator commands: the command channel and, with an MQTT upstream (the only place signed commands arrive), the
    /// token verifier, the replay store, the write rules and the command service that answers acks and writes.
    /// Register right after <c>AddAlarms</c>: hosted services stop in reverse order, so commands stop before alarms.
    /// </summary>
    public static IServiceCollection AddCommands(this IServiceCollection services, GatewayConfiguration configuration)
    {
        services.AddSingleton<CommandChannel>();
        if (configuration.Upstream.Mqtt is null)
        {
            return services;
        }

        services.AddSingleton(_ => new CommandReplayStore(configuration.Gateway.DataDirectory));
        services.AddSingleton(_ => new WriteJournal(configuration.Gateway.DataDirectory));
        services.AddSingleton<CommandTokenVerifier>();
        services.AddSingleton(sp => new OperatorWrites(
            sp.GetRequiredService<ActiveConfiguration>(),
            sp.GetRequiredService<PipelineMonitor>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IDeviceOutputs>(),
            sp.GetRequiredService<WriteJournal>(),
            sp.GetRequiredService<ILogger<OperatorWrites>>()));
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
            sp.GetService<IAuditSink>(),
            sp.GetRequiredService<WriteJournal>()));
        services.AddHostedService(sp => sp.GetRequiredService<CommandService>());
        return services;
    }
}
