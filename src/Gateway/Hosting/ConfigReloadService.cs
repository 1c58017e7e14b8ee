using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Cli;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Webhooks;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// Hot reload on SIGHUP (<c>systemctl reload</c>) or when the configuration file changes (debounced: editors write
/// a file in several steps). The new file is validated first; if it has any problem, every problem is logged with
/// file:line:col and the gateway keeps running on the configuration it has. If it is valid, only devices that were
/// added, removed or changed are started or stopped; the buffer and the HTTP endpoint stay up, deadbands are
/// swapped in the processing stage between two batches and alarms in the <see cref="AlarmEngine"/>. Changed
/// webhooks are applied by the <see cref="WebhookDispatcher"/>, changed MQTT connection settings by reconnecting
/// the <see cref="MqttPublisher"/> (the buffer keeps every record until the new broker acknowledged it).
/// </summary>
internal sealed class ConfigReloadService : BackgroundService
{
    /// <summary>Quiet time after the last file event before reloading.</summary>
    internal static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(500);

    private readonly ActiveConfiguration _active;
    private readonly DeviceSupervisorService _devices;
    private readonly ProcessingService _processing;
    private readonly PipelineMonitor _monitor;
    private readonly AlarmEngine? _alarms;
    private readonly WebhookDispatcher? _webhooks;
    private readonly MqttPublisher? _mqtt;
    private readonly ForwarderService? _forwarder;
    private readonly CommandService? _commands;
    private readonly IReadOnlyList<IDriverFactory> _factories;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigReloadService> _logger;
    private readonly Channel<string> _triggers = Channel.CreateBounded<string>(new BoundedChannelOptions(1)
    {
        // Requests that arrive while one is pending fold into it: the reload reads the file as it is then.
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private PosixSignalRegistration? _sighup;
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;

    public ConfigReloadService(
        ActiveConfiguration active,
        DeviceSupervisorService devices,
        ProcessingService processing,
        PipelineMonitor monitor,
        IEnumerable<IDriverFactory> factories,
        TimeProvider time,
        ILogger<ConfigReloadService> logger,
        AlarmEngine? alarms = null,
        WebhookDispatcher? webhooks = null,
        MqttPublisher? mqtt = null,
        ForwarderService? forwarder = null,
        CommandService? commands = null)
    {
        _commands = commands;
        _webhooks = webhooks;
        _mqtt = mqtt;
        _forwarder = forwarder;
        _active = active;
        _devices = devices;
        _processing = processing;
        _monitor = monitor;
        _factories = factories.ToArray();
        _time = time;
        _logger = logger;
        _alarms = alarms;
    }

    private string SourceFile => _active.Current.SourceFile;

    private bool HasFile => SourceFile != ConfigArguments.EmbeddedDemoName;

    public override void Dispose()
    {
        _sighup?.Dispose();
        _watcher?.Dispose();
        _debounce?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true; // the default action of SIGHUP would end the process
                _triggers.Writer.TryWrite("SIGHUP");
            });
        }

        if (HasFile)
        {
            WatchFile();
        }

        // Until this point a SIGHUP is dropped (StopSignals holds it off during start-up) and a file change unseen: the
        // line says when a `systemctl reload` or a saved edit is acted on.
        HostingLog.ReloadReady(_logger, (HasFile, OperatingSystem.IsWindows()) switch
        {
            (true, false) => $"SIGHUP or a change of {SourceFile} reloads it",
            (true, true) => $"a change of {SourceFile} reloads it",
            (false, _) => "nothing to reload (the embedded demo configuration has no file)",
        });

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                string trigger = await _triggers.Reader.ReadAsync(stoppingToken).ConfigureAwait(false);
                await ReloadAsync(trigger, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                HostingLog.ReloadBug(_logger, ex);
            }
        }
    }

    private void WatchFile()
    {
        string full = Path.GetFullPath(SourceFile);
        string directory = Path.GetDirectoryName(full)!;
        _debounce = _time.CreateTimer(_ => _triggers.Writer.TryWrite("file changed"), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        // Watch the folder, not the file: editors and `install` replace the file by rename, which a file watch misses.
        _watcher = new FileSystemWatcher(directory, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Renamed += (_, _) => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Validates the file and applies it, or logs why not. Runs on the reload loop only, one at a time.</summary>
    internal async Task ReloadAsync(string trigger, CancellationToken cancellationToken)
    {
        if (!HasFile)
        {
            HostingLog.NothingToReload(_logger);
            return;
        }

        HostingLog.Reloading(_logger, SourceFile, trigger);
        var loader = new GatewayConfigurationLoader(_factories);
        ConfigurationLoadResult result = loader.LoadFile(SourceFile);
        if (result.Configuration is not { } next)
        {
            foreach (ConfigProblem problem in result.Problems.Ordered())
            {
                HostingLog.ReloadProblem(_logger, problem.ToString());
            }

            HostingLog.ReloadRejected(_logger, result.Problems.All.Count, SourceFile);
            _monitor.RecordReload(applied: false);
            return;
        }

        GatewayConfiguration running = _active.Current;
        ReloadPlan plan = ReloadPlan.Between(running, next);
        foreach (string section in plan.NeedsRestart)
        {
            HostingLog.NeedsRestart(_logger, section);
        }

        // Keep the sections that need a restart as they run now, so status and readiness describe reality.
        UpstreamConfiguration upstream = await ApplyMqttAsync(plan, running.Upstream, cancellationToken).ConfigureAwait(false);
        GatewayConfiguration applied = next with { Gateway = running.Gateway, Buffer = running.Buffer, Upstream = upstream, Http = running.Http };

        foreach (string id in plan.Removed)
        {
            await _devices.StopDeviceAsync(id, forget: true, cancellationToken).ConfigureAwait(false);
        }

        foreach (DeviceConfiguration device in plan.Restarted)
        {
            await _devices.StopDeviceAsync(device.Id, forget: true, cancellationToken).ConfigureAwait(false);
        }

        // Processing and the alarm engine learn the new tags and alarms before the new devices deliver their first reading.
        _processing.Reconfigure(applied);
        IReadOnlyList<AlarmDefinition> alarms = AlarmDefinition.FromConfiguration(applied);
        // Removed alarms are retired by the engine; their final transition also takes them off the status page.
        _alarms?.Reconfigure(alarms, applied.AlarmOptions, AlarmDefinition.DeviceAlarmSources(applied));
        if (plan.WebhooksChanged && _webhooks is not null)
        {
            // Before the devices start: transitions from the reload on go to the new list.
            await _webhooks.ReconfigureAsync(applied.Webhooks, cancellationToken).ConfigureAwait(false);
        }

        _active.Current = applied;
        _commands?.Announce(applied.Commands); // command keys apply from the next command on
        foreach (DeviceConfiguration device in plan.Restarted.Concat(plan.Added))
        {
            _devices.StartDevice(device);
        }

        _monitor.RecordReload(applied: true);
        HostingLog.Reloaded(_logger, plan.Added.Count, plan.Removed.Count, plan.Restarted.Count, plan.Unchanged, applied.Alarms.Count);
    }

    /// <summary>
    /// Reconnects the MQTT publisher when its connection settings changed; returns the upstream section the gateway
    /// runs on afterwards. The new settings are used even if the broker refuses them: the records stay buffered and
    /// the outage shows in /readyz and the metrics until the settings are fixed — falling back to the old ones
    /// would hide that the file the technician wrote does not work.
    /// </summary>
    private async Task<UpstreamConfiguration> ApplyMqttAsync(ReloadPlan plan, UpstreamConfiguration running, CancellationToken cancellationToken)
    {
        if (plan.Mqtt is not { } mqtt || _mqtt is null)
        {
            return running;
        }

        try
        {
            await _mqtt.ReconfigureAsync(mqtt, cancellationToken).ConfigureAwait(false);
        }
        catch (UpstreamException ex)
        {
            HostingLog.MqttNotApplied(_logger, ex.Message);
            return running;
        }

        UpstreamConfiguration upstream = plan.UpstreamAfter(running);
        _forwarder?.Reconfigure(upstream);
        HostingLog.MqttApplied(_logger, mqtt.ToString());
        return upstream;
    }
}
