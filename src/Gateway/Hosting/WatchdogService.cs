using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// Tells systemd <c>READY=1</c> once every stage has started, then sends <c>WATCHDOG=1</c> every half
/// <c>$WATCHDOG_USEC</c> (sd_watchdog_enabled(3)) — but only when <see cref="PipelineProgress"/> says the pipeline
/// moved since the last ping. A wedged pipeline therefore stops the pings and systemd (WatchdogSec=, Restart=)
/// restarts the service. <c>STOPPING=1</c> on shutdown.
/// </summary>
internal sealed class WatchdogService : BackgroundService
{
    private readonly SystemdNotifier _notifier;
    private readonly PipelineProgress _progress;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<WatchdogService> _logger;
    private readonly TimeSpan? _interval;

    public WatchdogService(SystemdNotifier notifier, PipelineProgress progress, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<WatchdogService> logger)
        : this(notifier, progress, lifetime, time, logger, Environment.GetEnvironmentVariable)
    {
    }

    internal WatchdogService(SystemdNotifier notifier, PipelineProgress progress, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<WatchdogService> logger, Func<string, string?> environment)
    {
        _notifier = notifier;
        _progress = progress;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
        _interval = WatchdogInterval(environment);
    }

    /// <summary>Half of <c>WATCHDOG_USEC</c>, when it is set for this process (<c>WATCHDOG_PID</c> absent or ours).</summary>
    internal static TimeSpan? WatchdogInterval(Func<string, string?> environment)
    {
        if (!long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out long usec) || usec <= 0)
        {
            return null;
        }

        string? pid = environment("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec / 2.0);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _notifier.Notify("STOPPING=1");
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_notifier.IsEnabled)
        {
            return;
        }

        // ApplicationStarted fires after every hosted service's StartAsync: buffer open, stages running, HTTP bound.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        _notifier.Notify($"READY=1\nSTATUS=Running\nMAINPID={Environment.ProcessId}");
        if (_interval is not { } interval)
        {
            return;
        }

        HostingLog.WatchdogEnabled(_logger, interval.TotalSeconds);
        _progress.Check(); // baseline for the first comparison
        _notifier.Notify("WATCHDOG=1");
        bool stalled = false;
        using var timer = new PeriodicTimer(interval, _time);
        while (await TickAsync(timer, stoppingToken).ConfigureAwait(false))
        {
            string? reason = _progress.Check();
            if (reason is null)
            {
                if (stalled)
                {
                    stalled = false;
                    HostingLog.PipelineResumed(_logger);
                    _notifier.Notify("STATUS=Running");
                }

                _notifier.Notify("WATCHDOG=1");
            }
            else if (!stalled)
            {
                stalled = true;
                HostingLog.PipelineStalled(_logger, reason);
                _notifier.Notify("STATUS=Pipeline stalled: " + reason);
            }
        }
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
