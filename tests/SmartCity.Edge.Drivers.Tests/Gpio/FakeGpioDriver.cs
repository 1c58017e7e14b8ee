using System.Device.Gpio;

namespace SmartCity.Edge.Drivers.Tests.Gpio;

/// <summary>
/// A GPIO chip behind System.Device.Gpio's own driver abstraction: the test sets input levels and the fake raises the
/// edge callbacks a kernel would, synchronously on the test's thread; writes to outputs are recorded.
/// </summary>
internal sealed class FakeGpioDriver : GpioDriver
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, PinValue> _levels = [];
    private readonly Dictionary<int, PinMode> _modes = [];
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Handler)>> _callbacks = [];
    private readonly List<(int Pin, PinValue Value)> _writes = [];

    public FakeGpioDriver(int lineCount = 28)
    {
        LineCount = lineCount;
    }

    public int LineCount { get; }

    /// <summary>Lines another program holds: opening them fails as libgpiod does ("Device or resource busy").</summary>
    public HashSet<int> BusyPins { get; } = [];

    public bool IsDisposed { get; private set; }

    public IReadOnlyList<(int Pin, PinValue Value)> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    protected override int PinCount => LineCount;

    /// <summary>Sets an input's electrical level before the driver opens it (no edge).</summary>
    public void SetLevel(int pin, PinValue level)
    {
        lock (_lock)
        {
            _levels[pin] = level;
        }
    }

    /// <summary>Changes an input's level and raises the edge callback, as the kernel does for a watched line.</summary>
    public void Drive(int pin, PinValue level)
    {
        List<PinChangeEventHandler> handlers;
        lock (_lock)
        {
            if (_levels.TryGetValue(pin, out PinValue old) && old == level)
            {
                return;
            }

            _levels[pin] = level;
            PinEventTypes edge = level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
            handlers = _callbacks.TryGetValue(pin, out var list) ? [.. list.Where(c => (c.Types & edge) != 0).Select(c => c.Handler)] : [];
        }

        foreach (PinChangeEventHandler handler in handlers)
        {
            handler(this, new PinValueChangedEventArgs(level == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling, pin));
        }
    }

    public PinValue LevelOf(int pin)
    {
        lock (_lock)
        {
            return _levels.GetValueOrDefault(pin, PinValue.Low);
        }
    }

    public PinMode ModeOf(int pin)
    {
        lock (_lock)
        {
            return _modes[pin];
        }
    }

    public int CallbackCount(int pin)
    {
        lock (_lock)
        {
            return _callbacks.TryGetValue(pin, out var list) ? list.Count : 0;
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        if (BusyPins.Contains(pinNumber))
        {
            throw new IOException("Device or resource busy");
        }
    }

    protected override void ClosePin(int pinNumber)
    {
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_lock)
        {
            _modes[pinNumber] = mode;
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        lock (_lock)
        {
            _modes[pinNumber] = mode;
            if (mode == PinMode.Output)
            {
                _levels[pinNumber] = initialValue;
                _writes.Add((pinNumber, initialValue));
            }
        }
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_lock)
        {
            return _modes.GetValueOrDefault(pinNumber, PinMode.Input);
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => true;

    protected override PinValue Read(int pinNumber) => LevelOf(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        lock (_lock)
        {
            _levels[pinNumber] = value;
            _writes.Add((pinNumber, value));
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The driver under test is expected to use edge callbacks.");

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_lock)
        {
            if (!_callbacks.TryGetValue(pinNumber, out var list))
            {
                _callbacks[pinNumber] = list = [];
            }

            list.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_lock)
        {
            if (_callbacks.TryGetValue(pinNumber, out var list))
            {
                list.RemoveAll(c => c.Handler == callback);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }
}
