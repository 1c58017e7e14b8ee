namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>The internal bias resistor of an input line.</summary>
public enum GpioPull
{
    /// <summary>No bias: the wiring has its own pull resistor.</summary>
    None,

    /// <summary>Pull-up: a contact to ground reads low when closed (use with <c>active_low: true</c>).</summary>
    Up,

    /// <summary>Pull-down: a contact to 3.3 V reads high when closed.</summary>
    Down,
}
