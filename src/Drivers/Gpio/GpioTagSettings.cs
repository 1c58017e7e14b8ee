namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>One GPIO line of a <c>driver: gpio</c> device.</summary>
/// <param name="Id">Tag id.</param>
/// <param name="Pin">Line offset on the chip (the BCM GPIO number on a Raspberry Pi, not the header pin number).</param>
/// <param name="Direction">Input contact or output relay.</param>
/// <param name="Pull">Bias resistor (inputs).</param>
/// <param name="ActiveLow">True when electrical low means logical on (contacts to ground, low-triggered relay boards).</param>
/// <param name="Debounce">How long an input must hold a new level before it counts (inputs); zero reports every edge.</param>
/// <param name="SafeState">The logical state an output returns to on connect, shutdown and after a fault (outputs).</param>
public sealed record GpioTagSettings(
    string Id,
    int Pin,
    GpioDirection Direction,
    GpioPull Pull,
    bool ActiveLow,
    TimeSpan Debounce,
    bool SafeState);
