using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Buffer.Storage;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// The single reader of the readings channel: per frame, as it arrives, the monitor, alarm evaluation
/// (<see cref="AlarmEngine"/>), report-by-exception and the frame's stored encoding (<see cref="FrameBodyWriter"/>, one
/// row per frame); then the durable commit of the batch, at most <see cref="CommitInterval"/> after its first frame.
/// Alarm transitions do not wait for it: the alarm service commits them at once. On shutdown it keeps reading until
/// the supervisors have completed the channel, so every reading that was read is committed before the process exits.
/// </summary>
internal sealed class ProcessingService : BackgroundService
{
    /// <summary>Readings taken from the channel per commit (whole frames).</summary>
    private const int MaxBatch = 20_000;

    /// <summary>
    /// How long a batch of telemetry may gather frames before it is committed. Every commit writes a few pages beyond
    /// the frames themselves (the b-tree's inner page, the pointer map, the WAL frame headers) and waits for an fsync:
    /// ten commits a second instead of one per poll keep a 100k-readings/s gateway well under 16 bytes written to
    /// disk per reading, and an SD card alive. Frames are still processed as they arrive — alarms are evaluated and
    /// committed at once by the alarm service — only the telemetry commit waits, at most this long.
    /// </summary>
    internal static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Most readings held in memory while commits fail (a full disk): frames keep being read so that alarms see them,
    /// and their telemetry joins the held batch up to this many readings; beyond it telemetry is dropped and counted.
    /// Five full batches: ~0.5 MB of stored bodies, a few seconds of a busy gateway's polls.
    /// </summary>
    internal const int HeldLimit = 5 * MaxBatch;

    private readonly ReadingChannel _channel;
    private readonly ChannelReader<PipelineFrame> _reader;
    private readonly IDurableBuffer _buffer;
    private readonly PipelineMonitor _monitor;
    private readonly AlarmEngine? _alarms;
    private ReportByExceptionFilter _filter;
    private volatile GatewayConfiguration? _reconfigure;
    private readonly FrameBodyWriter _bodyWriter = new();
    private readonly ArrayBufferWriter<byte> _bodies = new(64 * 1024);
    private readonly List<(TagTable Table, int Offset, int Length, int Readings)> _frames = [];
    private readonly List<int> _passed = [];
    private int _batchReadings;
    private int _pendingReadings;
    private readonly TimeProvider _time;
    private readonly ILogger<ProcessingService> _logger;
    private readonly List<BufferEntry> _entries = [];
    private readonly CancellationTokenSource _abort = new();
    private volatile bool _stopping;

    public ProcessingService(ReadingChannel channel, IDurableBuffer buffer, GatewayConfiguration configuration, TimeProvider time, ILogger<ProcessingService> logger, AlarmEngine? alarms = null, PipelineMonitor? monitor = null)
    {
        _monitor = monitor ?? new PipelineMonitor(time);
        _channel = channel;
        _reader = channel.Reader;
        _buffer = buffer;
        _filter = new ReportByExceptionFilter(configuration.Devices);
        _alarms = alarms;
        _time = time;
        _logger = logger;
    }

    /// <summary>Readings committed since start.</summary>
    public long Committed { get; private set; }

    /// <summary>
    /// Swaps the deadbands for those of <paramref name="configuration"/> between two batches (a reload); tags that
    /// did not change keep their last published value. Alarm rules are swapped in the <see cref="AlarmEngine"/>.
    /// </summary>
    public void Reconfigure(GatewayConfiguration configuration) => _reconfigure = configuration;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let ExecuteAsync drain the channel (completed by the supervisors, which stop first); give up only when the
        // host's shutdown timeout fires.
        _stopping = true;
        using (cancellationToken.Register(_abort.Cancel))
        {
            if (ExecuteTask is { } running)
            {
                await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _abort.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long atShutdown = -1;
        CancellationToken abort = _abort.Token;
        long batchStarted = 0;
        while (true)
        {
            if (_frames.Count == 0)
            {
                if (!await _reader.WaitToReadAsync(abort).ConfigureAwait(false))
                {
                    break;
                }

                batchStarted = _time.GetTimestamp();
            }
            else if (!await WaitForMoreAsync(batchStarted, abort).ConfigureAwait(false))
            {
                // The deadline passed, the batch is full, or the channel is done: commit now.
                await CommitAsync(abort).ConfigureAwait(false);
                continue;
            }

            if (_stopping && atShutdown < 0)
            {
                atShutdown = Committed;
            }

            if (_reconfigure is { } next)
            {
                _reconfigure = null;
                _filter = new ReportByExceptionFilter(next.Devices, _filter);
            }

            // Every frame is processed as soon as it arrives (alarms see it at once); only the commit waits.
            while (_batchReadings < MaxBatch && _reader.TryRead(out PipelineFrame frame))
            {
                Process(frame);
            }

            if (_frames.Count == 0)
            {
                // Everything report-by-exception let through so far was nothing: no commit to wait for.
                _batchReadings = 0;
            }
        }

        if (_frames.Count > 0)
        {
            await CommitAsync(abort).ConfigureAwait(false);
        }

        if (atShutdown >= 0)
        {
            PipelineLog.Drained(_logger, Committed - atShutdown);
        }
    }

    /// <summary>
    /// Waits for the next frames while the batch may still grow: until <see cref="CommitInterval"/> after its first
    /// frame, unless it is full or the gateway is stopping. True when frames are waiting to be processed; false when
    /// it is time to commit.
    /// </summary>
    private async ValueTask<bool> WaitForMoreAsync(long batchStarted, CancellationToken abort)
    {
        TimeSpan left = CommitInterval - _time.GetElapsedTime(batchStarted);
        if (_stopping || _batchReadings >= MaxBatch || left <= TimeSpan.Zero)
        {
            return _stopping && _reader.TryPeek(out _) && _batchReadings < MaxBatch;
        }

        if (_reader.TryPeek(out _))
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(left, _time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(abort, timeout.Token);
        try
        {
            // False: the channel is completed (shutdown), so commit what is there.
            return await _reader.WaitToReadAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Process(PipelineFrame item)
    {
        TagTable table = item.Table;
        ReadOnlySpan<TagReading> readings = item.Frame.Readings;
        _monitor.RecordFrame(table, readings);

        // Alarms see every reading, before report-by-exception: a crossing smaller than a deadband still trips.
        // Their transitions go to the alarm service, which commits them at once, ahead of this batch.
        _alarms?.Evaluate(table, readings);
        ReportByExceptionFilter.DeviceFilter? filter = _filter.For(table);
        _passed.Clear();
        for (int i = 0; i < readings.Length; i++)
        {
            if (filter is null || filter.ShouldPublish(readings[i]))
            {
                _passed.Add(i);
            }
        }

        _batchReadings += readings.Length;
        if (_passed.Count > 0)
        {
            // One stored frame of the readings that passed; its body goes into the batch's buffer.
            int offset = _bodies.WrittenCount;
            int length = _bodyWriter.Write(_bodies, readings, CollectionsMarshal.AsSpan(_passed));
            _frames.Add((table, offset, length, _passed.Count));
            _pendingReadings += _passed.Count;
        }

        _channel.Return(item.Frame);
    }

    private async Task CommitAsync(CancellationToken abort)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), new Random());
        string? reported = null;
        bool droppedReported = false;
        while (true)
        {
            // The bodies are slices of one buffer, taken now that it no longer grows (a held batch may have grown
            // while it waited, so the entries are taken again for every attempt).
            ReadOnlyMemory<byte> bodies = _bodies.WrittenMemory;
            _entries.Clear();
            foreach ((TagTable table, int offset, int length, int count) in _frames)
            {
                _entries.Add(BufferEntry.Frame(table, bodies.Slice(offset, length), count));
            }

            try
            {
                _monitor.PendingRecords = _pendingReadings;
                await _buffer.AppendAsync(_entries, abort).ConfigureAwait(false);
                Committed += _pendingReadings;
                _monitor.RecordCommit(_pendingReadings);
                _monitor.PendingRecords = 0;
                _pendingReadings = 0;
                _batchReadings = 0;
                _entries.Clear();
                _frames.Clear();
                _bodies.ResetWrittenCount();
                return;
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // Disk full or I/O error: hold the batch and retry.
                TimeSpan delay = backoff.Next();
                _monitor.RecordCommitFailure(ex);
                if (ex.Message != reported)
                {
                    // Once per cause while this batch is held (a full disk can last hours; the buffer said so, readiness shows it).
                    reported = ex.Message;
                    PipelineLog.CommitFailed(_logger, ex, _pendingReadings, delay.TotalSeconds);
                }

                droppedReported |= await ProcessWhileHeldAsync(delay, droppedReported, abort).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Until <paramref name="delay"/> has passed, reads the frames that keep arriving while the batch is held: the
    /// monitor and the alarm engine see every one, so an alarm raised while the disk is full is made at once and its
    /// transition commits into the disk reserve and reaches the desk. Their telemetry joins the held batch up to
    /// <see cref="HeldLimit"/>; beyond it it is dropped and counted (said once per held batch). Without this the stage
    /// would stop reading, the drivers would stall on the full channel, and no alarm could trip until space returned.
    /// Returns true once a drop has been reported.
    /// </summary>
    private async Task<bool> ProcessWhileHeldAsync(TimeSpan delay, bool droppedReported, CancellationToken abort)
    {
        using var timeout = new CancellationTokenSource(delay, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(abort, timeout.Token);
        try
        {
            while (await _reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
            {
                while (_reader.TryRead(out PipelineFrame frame))
                {
                    if (_pendingReadings < HeldLimit)
                    {
                        Process(frame);
                        continue;
                    }

                    _monitor.RecordFrame(frame.Table, frame.Frame.Readings);
                    _alarms?.Evaluate(frame.Table, frame.Frame.Readings);
                    _monitor.RecordDroppedWhileHeld(frame.Frame.Readings.Length);
                    _channel.Return(frame.Frame);
                    if (!droppedReported)
                    {
                        droppedReported = true;
                        PipelineLog.TelemetryDroppedWhileHeld(_logger, _pendingReadings);
                    }
                }
            }

            // The channel is complete (shutdown): nothing more will come; wait out the retry delay.
            await Task.Delay(Timeout.InfiniteTimeSpan, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
        }

        return droppedReported;
    }
}
