using System.Device.Gpio;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>
/// One <c>driver: gpio</c> device: the lines of one GPIO chip. Inputs are read by edge events from System.Device.Gpio,
/// debounced, and pushed to the sink as they happen with the edge's time; each poll also reports the current state.
/// Outputs are driven by <see cref="WriteAsync"/> and are put in their safe state on connect and on dispose.
/// </summary>
/// <remarks>
/// Edge callbacks run on the GPIO library's event thread. They never wait on the pipeline: accepted changes go into a
/// bounded queue that a pump task forwards to the sink, so back-pressure from the sink cannot make us miss an edge.
/// </remarks>
internal sealed class GpioDeviceDriver : IDeviceDriver, IReadBackTags
{
    /// <summary>Changes waiting for the pipeline. A debounced contact changes a few times a second at most; 1024 is minutes of backlog.</summary>
    private const int QueueCapacity = 1024;

    /// <summary>How long dispose lets the pump deliver changes still queued before giving up on them.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(1);

    private readonly DeviceDescriptor _device;
    private readonly GpioSettings _settings;
    private readonly IGpioChipOpener _opener;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Channel<Reading> _changes;
    private readonly CancellationTokenSource _stopping;
    private readonly PinChangeEventHandler _onPinChanged;
    private readonly GpioLine[] _lines;
    private readonly Dictionary<int, GpioLine> _inputsByPin = [];
    private readonly Dictionary<string, GpioLine> _linesById = new(StringComparer.Ordinal);
    private GpioDriverState _state;
    private GpioController? _controller;
    private IReadingSink? _sink;
    private Task _pump = Task.CompletedTask;
    private Exception? _deliveryFault;

    public GpioDeviceDriver(DeviceDescriptor device, GpioSettings settings, IGpioChipOpener opener, TimeProvider time, ILogger logger)
    {
        _device = device;
        _settings = settings;
        _opener = opener;
        _time = time;
        _logger = logger;
        _stopping = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _onPinChanged = OnPinChanged;
        _changes = Channel.CreateBounded<Reading>(
            new BoundedChannelOptions(QueueCapacity)
            {
                // The newest state of a contact matters more than an old transition; drops are logged.
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
            },
            dropped => GpioLog.ReadingDropped(_logger, _device.Id, dropped.TagId, QueueCapacity));
        _lines = new GpioLine[settings.Tags.Count];
        for (int i = 0; i < _lines.Length; i++)
        {
            _lines[i] = new GpioLine(settings.Tags[i]);
            _linesById[_lines[i].Id] = _lines[i];
        }
    }

    public async ValueTask ConnectAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        lock (_lock)
        {
            if (_state != GpioDriverState.Created)
            {
                throw new InvalidOperationException($"ConnectAsync called in state {_state}; create a new driver instance to reconnect.");
            }

            _state = GpioDriverState.Connecting;
        }

        _sink = sink;
        var initial = new List<Reading>(_lines.Length);
        try
        {
            OpenLines(initial);
        }
        catch
        {
            ReleaseHardware();
            lock (_lock)
            {
                // Nothing left for DisposeAsync to release; the supervisor creates a new instance to retry.
                _state = GpioDriverState.Disposed;
            }

            _stopping.Dispose();
            throw;
        }

        lock (_lock)
        {
            if (_state != GpioDriverState.Connecting)
            {
                // Disposed while connecting: DisposeAsync left the release to us.
                ReleaseHardware();
                _stopping.Dispose();
                throw new ObjectDisposedException(nameof(GpioDeviceDriver));
            }

            _state = GpioDriverState.Connected;
        }

        GpioLog.Connected(_logger, _device.Id, _settings.Chip, _inputsByPin.Count, _lines.Length - _inputsByPin.Count);

        // The states found on connect go out before the pump starts, so they precede every change in the pipeline.
        foreach (Reading reading in initial)
        {
            await sink.PublishAsync(reading, cancellationToken).ConfigureAwait(false);
        }

        lock (_lock)
        {
            // A dispose that ran meanwhile has already released everything and must not be handed a pump to await.
            if (_state == GpioDriverState.Connected)
            {
                _pump = PumpAsync(sink, _stopping.Token);
            }
        }
    }

    public async ValueTask PollAsync(CancellationToken cancellationToken)
    {
        GpioController controller = EnsureConnected();
        IReadingSink sink = _sink!;
        if (Volatile.Read(ref _deliveryFault) is { } fault)
        {
            throw new DeviceException($"GPIO device '{_device.Id}': delivering edge readings failed: {fault.Message}", fault) { Kind = "pipeline" };
        }

        foreach (GpioLine line in _lines)
        {
            PinValue physical = Hardware(line, "read", () => controller.Read(line.Pin));
            bool level = line.ToLogical(physical);
            DateTimeOffset now = _time.GetUtcNow();
            bool state = level;
            if (line.Debouncer is { } debouncer)
            {
                lock (_lock)
                {
                    if (!debouncer.IsSettling && level != debouncer.Accepted)
                    {
                        // The kernel's event queue can overflow under an edge storm; the level is the truth.
                        GpioLog.MissedEdge(_logger, _device.Id, line.Id, level);
                        Apply(line, debouncer.OnEdge(level, now));
                    }

                    state = debouncer.Accepted;
                }
            }

            await sink.PublishAsync(Reading.Good(_device.Id, line.Id, TagValue.FromBoolean(state), now), cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask WriteAsync(string tagId, TagValue value, CancellationToken cancellationToken)
    {
        if (!_linesById.TryGetValue(tagId, out GpioLine? line))
        {
            throw new NotSupportedException($"GPIO device '{_device.Id}' has no tag '{tagId}'.");
        }

        if (line.Settings.Direction != GpioDirection.Output)
        {
            throw new NotSupportedException($"GPIO tag '{_device.Id}.{tagId}' is an input; only 'direction: output' tags can be written.");
        }

        // Strict: 5 or the text "on" is a mistake, never "on".
        bool on = value.AsBoolean();
        if (value.Kind != TagValueKind.Boolean && !(value.IsNumeric && value.AsDouble() is 0 or 1))
        {
            throw new TagValueRejectedException($"GPIO output '{_device.Id}.{tagId}' takes true/false (or 1/0), not {TagValueText.Describe(value)}.");
        }

        GpioController controller = EnsureConnected();
        Hardware(line, "write", () => controller.Write(line.Pin, line.ToPhysical(on)));
        GpioLog.OutputWritten(_logger, _device.Id, tagId, on);
        await _sink!.PublishAsync(Reading.Good(_device.Id, tagId, TagValue.FromBoolean(on), _time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one line's level now (an output reads back the level it drives), in logical terms; nothing goes to the sink.</summary>
    public ValueTask<TagValue> ReadTagAsync(string tagId, CancellationToken cancellationToken)
    {
        if (!_linesById.TryGetValue(tagId, out GpioLine? line))
        {
            throw new NotSupportedException($"GPIO device '{_device.Id}' has no tag '{tagId}'.");
        }

        GpioController controller = EnsureConnected();
        PinValue physical = Hardware(line, "read", () => controller.Read(line.Pin));
        return ValueTask.FromResult(TagValue.FromBoolean(line.ToLogical(physical)));
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_state == GpioDriverState.Disposed)
            {
                return;
            }

            bool connecting = _state == GpioDriverState.Connecting;
            _state = GpioDriverState.Disposed;
            if (connecting)
            {
                // ConnectAsync is still opening lines on another thread and releases them when it sees the new state.
                return;
            }
        }

        // Outside the lock: unregistering may wait for the library's event thread, which may be waiting for the lock.
        ReleaseHardware();
        _changes.Writer.TryComplete();
        _stopping.CancelAfter(s_drainTimeout);
        await _pump.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void OpenLines(List<Reading> initial)
    {
        GpioDriver driver = _opener.Open(_settings.Chip);
        GpioController controller;
        try
        {
            controller = new GpioController(driver);
        }
        catch (Exception ex) when (IsHardwareError(ex))
        {
            driver.Dispose();
            throw new DeviceException($"GPIO device '{_device.Id}': cannot use gpiochip{_settings.Chip}: {ex.Message}", ex) { Kind = "io" };
        }

        _controller = controller;
        int lineCount;
        try
        {
            lineCount = controller.PinCount;
        }
        catch (Exception ex) when (IsHardwareError(ex))
        {
            throw new DeviceException($"GPIO device '{_device.Id}': cannot query gpiochip{_settings.Chip}: {ex.Message}", ex) { Kind = "io" };
        }

        foreach (GpioLine line in _lines)
        {
            if (line.Pin >= lineCount)
            {
                throw GpioErrors.PinOutOfRange(line.Id, line.Pin, _settings.Chip, lineCount);
            }
        }

        DateTimeOffset now = _time.GetUtcNow();
        foreach (GpioLine line in _lines)
        {
            if (line.Settings.Direction == GpioDirection.Output)
            {
                // Opened straight into the safe level so a siren never chirps while the gateway starts.
                bool safe = line.Settings.SafeState;
                Hardware(line, "open", () => controller.OpenPin(line.Pin, PinMode.Output, line.ToPhysical(safe)));
                initial.Add(Reading.Good(_device.Id, line.Id, TagValue.FromBoolean(safe), now));
                continue;
            }

            PinMode mode = line.Settings.Pull switch
            {
                GpioPull.Up => PinMode.InputPullUp,
                GpioPull.Down => PinMode.InputPullDown,
                _ => PinMode.Input,
            };
            Hardware(line, "open", () => controller.OpenPin(line.Pin, mode));
            bool level = line.ToLogical(Hardware(line, "read", () => controller.Read(line.Pin)));
            lock (_lock)
            {
                line.Debouncer = new GpioDebouncer(line.Settings.Debounce, level);
                if (line.Settings.Debounce > TimeSpan.Zero)
                {
                    line.Timer = _time.CreateTimer(state => OnDeadline((GpioLine)state!), line, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }

                _inputsByPin[line.Pin] = line;
                initial.Add(Reading.Good(_device.Id, line.Id, TagValue.FromBoolean(level), now));
            }

            // An edge between the read above and this registration is caught by the next poll (see PollAsync).
            Hardware(line, "watch", () => controller.RegisterCallbackForPinValueChangedEvent(line.Pin, PinEventTypes.Rising | PinEventTypes.Falling, _onPinChanged));
        }
    }

    private void OnPinChanged(object sender, PinValueChangedEventArgs e)
    {
        // The event's time: taken first, before any lock, so queueing delays do not shift it.
        DateTimeOffset at = _time.GetUtcNow();
        bool high = (e.ChangeType & PinEventTypes.Rising) != 0;
        lock (_lock)
        {
            if (_state is not (GpioDriverState.Connecting or GpioDriverState.Connected)
                || !_inputsByPin.TryGetValue(e.PinNumber, out GpioLine? line)
                || line.Debouncer is not { } debouncer)
            {
                return;
            }

            Apply(line, debouncer.OnEdge(line.ToLogical(high ? PinValue.High : PinValue.Low), at));
        }
    }

    private void OnDeadline(GpioLine line)
    {
        lock (_lock)
        {
            if (_state is not (GpioDriverState.Connecting or GpioDriverState.Connected) || line.Debouncer is not { } debouncer)
            {
                return;
            }

            Apply(line, debouncer.OnDeadline(_time.GetUtcNow()));
        }
    }

    /// <summary>Carries out a debouncer decision. Caller holds <see cref="_lock"/>.</summary>
    private void Apply(GpioLine line, GpioDebounceDecision decision)
    {
        switch (decision.Action)
        {
            case GpioDebounceAction.None:
                break;
            case GpioDebounceAction.Accept:
                GpioLog.InputChanged(_logger, _device.Id, line.Id, decision.Level);
                Enqueue(Reading.Good(_device.Id, line.Id, TagValue.FromBoolean(decision.Level), decision.Time));
                break;
            case GpioDebounceAction.Arm:
                TimeSpan due = decision.Time - _time.GetUtcNow();
                line.Timer!.Change(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                break;
            default:
                throw new InvalidOperationException($"Unhandled debounce action {decision.Action}.");
        }
    }

    private void Enqueue(Reading reading) => _changes.Writer.TryWrite(reading);

    private async Task PumpAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (Reading reading in _changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await sink.PublishAsync(reading, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed with a stalled pipeline: what is still queued is lost, as the device itself is going away.
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _deliveryFault, ex);
            GpioLog.DeliveryFailed(_logger, _device.Id, ex);
        }
    }

    /// <summary>Outputs to their safe state, edge watches off, lines and chip released. Never throws.</summary>
    private void ReleaseHardware()
    {
        GpioController? controller = _controller;
        _controller = null;
        foreach (GpioLine line in _lines)
        {
            line.Timer?.Dispose();
            if (controller is null || !controller.IsPinOpen(line.Pin))
            {
                continue;
            }

            try
            {
                if (line.Settings.Direction == GpioDirection.Output)
                {
                    controller.Write(line.Pin, line.ToPhysical(line.Settings.SafeState));
                }
                else
                {
                    controller.UnregisterCallbackForPinValueChangedEvent(line.Pin, _onPinChanged);
                }
            }
            catch (Exception ex) when (IsHardwareError(ex))
            {
                if (line.Settings.Direction == GpioDirection.Output)
                {
                    GpioLog.SafeStateFailed(_logger, _device.Id, line.Id, line.Pin, line.Settings.SafeState, ex);
                }
            }
        }

        try
        {
            controller?.Dispose();
        }
        catch (Exception ex) when (IsHardwareError(ex))
        {
            GpioLog.ReleaseFailed(_logger, _device.Id, ex);
        }
    }

    private GpioController EnsureConnected()
    {
        lock (_lock)
        {
            if (_state == GpioDriverState.Connected && _controller is { } controller)
            {
                return controller;
            }
        }

        throw new DeviceException($"GPIO device '{_device.Id}' is not connected.") { Kind = "disconnected" };
    }

    /// <summary>Runs one library call, turning its many exception types into one technician-readable <see cref="DeviceException"/>.</summary>
    private T Hardware<T>(GpioLine line, string action, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception ex) when (IsHardwareError(ex))
        {
            throw GpioErrors.PinFailed(line.Id, line.Pin, _settings.Chip, action, ex);
        }
    }

    private void Hardware(GpioLine line, string action, Action call) =>
        Hardware<bool>(line, action, () =>
        {
            call();
            return true;
        });

    /// <summary>
    /// System.Device.Gpio surfaces kernel and libgpiod failures as IOException, GpiodException, InvalidOperationException,
    /// ArgumentException (bad line), NotSupportedException (bias not supported) and more; all of them mean "this device".
    /// </summary>
    private static bool IsHardwareError(Exception ex) =>
        ex is not (OperationCanceledException or OutOfMemoryException or DeviceException or ObjectDisposedException);
}
