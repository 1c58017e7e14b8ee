using System.Device.Gpio;

namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>The run-time state of one configured line of a connected GPIO device.</summary>
internal sealed class GpioLine
{
    public GpioLine(GpioTagSettings settings, int index)
    {
        Settings = settings;
        Index = index;
    }

    public GpioTagSettings Settings { get; }

    /// <summary>The tag's index in the device's tag table (its readings' <see cref="TagReading.TagIndex"/>).</summary>
    public int Index { get; }

    public string Id => Settings.Id;

    public int Pin => Settings.Pin;

    /// <summary>Inputs: the debounced state; set once the initial level is read.</summary>
    public GpioDebouncer? Debouncer { get; set; }

    /// <summary>Inputs with a debounce time: fires <see cref="GpioDebouncer.OnDeadline"/>.</summary>
    public ITimer? Timer { get; set; }

    /// <summary>The electrical level that means <paramref name="logical"/>, honouring <c>active_low</c>.</summary>
    public PinValue ToPhysical(bool logical) => logical ^ Settings.ActiveLow ? PinValue.High : PinValue.Low;

    /// <summary>The logical state an electrical level means, honouring <c>active_low</c>.</summary>
    public bool ToLogical(PinValue physical) => (physical == PinValue.High) ^ Settings.ActiveLow;
}
