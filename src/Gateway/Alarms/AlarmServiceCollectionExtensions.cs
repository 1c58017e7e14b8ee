using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream.Webhooks;

namespace SmartCity.Edge.Gateway.Alarms;

internal static class AlarmServiceCollectionExtensions
{
    /// <summary>
    /// The alarm engine (restored from the alarm states in <c>buffer.db</c>), the alarm service that commits its transitions, local
    /// actions and webhooks (the command service: <c>AddCommands</c>). Register after the forwarder and before processing: hosted services stop in reverse order, so the alarm service drains what processing produced.
    /// </summary>
    public static IServiceCollection AddAlarms(this IServiceCollection services, GatewayConfiguration configuration)
    {
        services.AddSingleton<AlarmEventChannel>();
        services.AddSingleton(sp => new AlarmStateStore(sp.GetRequiredService<SqliteDurableBuffer>(), sp.GetRequiredService<ILogger<AlarmStateStore>>()));
        services.AddSingleton(sp => AlarmRestore.CreateEngine(
            configuration,
            sp.GetRequiredService<AlarmStateStore>(),
            sp.GetRequiredService<AlarmEventChannel>(),
            sp.GetService<PipelineMonitor>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AlarmEngine>>()));
        services.AddSingleton<IDeviceAlarmSink>(sp => new DeviceAlarmSink(sp.GetRequiredService<AlarmEngine>()));
        services.AddSingleton<IDeviceStatusObserver>(sp => new AlarmOutputsOnReconnect(sp.GetRequiredService<AlarmEngine>(), new Lazy<AlarmActionRunner>(sp.GetRequiredService<AlarmActionRunner>)));
        services.AddSingleton<AlarmActionRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<AlarmActionRunner>());
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<AlarmService>();
        services.AddHostedService(sp => sp.GetRequiredService<AlarmService>());
        return services;
    }
}
