using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// Reports evicted telemetry at most once per <see cref="Interval"/>: the first eviction is logged at once, later
/// ones are summed and logged when the interval has passed (by a timer, so a burst that stops is still reported —
/// dropping is never silent).
/// </summary>
internal sealed class EvictionReporter : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly long _maxDiskBytes;
    private readonly Lock _lock = new();
    private long _pendingCount;
    private long _totalCount;
    private long _lastReportTimestamp;
    private bool _hasReported;
    private ITimer? _flushTimer;
    private bool _disposed;

    public EvictionReporter(ILogger logger, TimeProvider timeProvider, long maxDiskBytes)
    {
        _logger = logger;
        _timeProvider = timeProvider;
        _maxDiskBytes = maxDiskBytes;
    }

    public void Record(long evictedCount)
    {
        lock (_lock)
        {
            _pendingCount += evictedCount;
            _totalCount += evictedCount;
            TimeSpan sinceLast = _timeProvider.GetElapsedTime(_lastReportTimestamp);
            if (!_hasReported || sinceLast >= Interval)
            {
                ReportPendingLocked();
            }
            else if (_flushTimer is null && !_disposed)
            {
                _flushTimer = _timeProvider.CreateTimer(static state => ((EvictionReporter)state!).OnFlushTimer(), this, Interval - sinceLast, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _flushTimer?.Dispose();
            _flushTimer = null;
            if (_pendingCount > 0)
            {
                // Shutting down: say what was dropped since the last report rather than lose the figure.
                ReportPendingLocked();
            }
        }
    }

    private void OnFlushTimer()
    {
        lock (_lock)
        {
            _flushTimer?.Dispose();
            _flushTimer = null;
            if (_pendingCount > 0 && !_disposed)
            {
                ReportPendingLocked();
            }
        }
    }

    private void ReportPendingLocked()
    {
        Log.TelemetryEvicted(_logger, _pendingCount, _totalCount, _maxDiskBytes);
        _pendingCount = 0;
        _hasReported = true;
        _lastReportTimestamp = _timeProvider.GetTimestamp();
    }
}
