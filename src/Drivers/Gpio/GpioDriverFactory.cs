using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>
/// <c>driver: gpio</c>: contacts, buttons and PIR detectors on GPIO inputs, sirens and beacons on GPIO outputs, on the
/// gateway's own header. Device key: <c>gpio_chip</c> (default 0). Tag keys: <c>pin</c> (required), <c>direction</c>
/// (input | output), <c>pull</c> (up | down | none), <c>active_low</c>, <c>debounce</c> (inputs, default 20ms),
/// <c>safe_state</c> (outputs, default off). See docs/local-io.md.
/// </summary>
public sealed class GpioDriverFactory : IDriverFactory
{
    /// <summary>Long enough for the bounce of a mechanical contact (typically under 10 ms), far shorter than a human press.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(20);

    /// <summary>Longer would hide real presses; a contact that needs more is faulty.</summary>
    private static readonly TimeSpan s_maxDebounce = TimeSpan.FromSeconds(10);

    private static readonly Dictionary<string, GpioDirection> s_directions = new(StringComparer.Ordinal)
    {
        ["input"] = GpioDirection.Input,
        ["output"] = GpioDirection.Output,
    };

    private static readonly Dictionary<string, GpioPull> s_pulls = new(StringComparer.Ordinal)
    {
        ["none"] = GpioPull.None,
        ["up"] = GpioPull.Up,
        ["down"] = GpioPull.Down,
    };

    private readonly IGpioChipOpener _opener;

    /// <summary>The production factory: chips are opened through libgpiod.</summary>
    public GpioDriverFactory()
        : this(new LibGpiodChipOpener())
    {
    }

    /// <param name="opener">How chips are opened; tests pass one that returns a fake <see cref="System.Device.Gpio.GpioDriver"/>.</param>
    public GpioDriverFactory(IGpioChipOpener opener)
    {
        _opener = opener;
    }

    public IReadOnlyList<string> DriverNames { get; } = ["gpio"];

    public DriverSettings ReadSettings(DeviceDescriptor device, ConfigSection deviceSection, IReadOnlyList<ConfigSection> tagSections)
    {
        int chip = deviceSection.GetInt32("gpio_chip", 0, min: 0, max: 255);
        var tags = new List<GpioTagSettings>(tagSections.Count);
        var pinOwners = new Dictionary<int, string>();
        for (int i = 0; i < tagSections.Count; i++)
        {
            ConfigSection tag = tagSections[i];
            string id = device.Tags[i].Id;
            int pin = tag.GetInt32("pin", -1, min: 0, max: 1023, required: true);
            if (pin >= 0 && !pinOwners.TryAdd(pin, id))
            {
                tag.Error("pin", $"pin {pin} is already used by tag '{pinOwners[pin]}' of this device");
            }

            GpioDirection direction = tag.GetChoice("direction", GpioDirection.Input, s_directions);
            bool activeLow = tag.GetBoolean("active_low", false);
            GpioPull pull = tag.GetChoice("pull", GpioPull.None, s_pulls);
            TimeSpan debounce = tag.GetDuration("debounce", DefaultDebounce, min: TimeSpan.Zero, max: s_maxDebounce);
            bool safeState = tag.GetBoolean("safe_state", false);
            if (direction == GpioDirection.Output)
            {
                RejectForOutputs(tag, "pull", "an output drives the line; bias resistors apply to inputs");
                RejectForOutputs(tag, "debounce", "debounce applies to inputs");
            }
            else if (tag.Has("safe_state"))
            {
                tag.Error("safe_state", "safe_state applies to 'direction: output' tags; an input has no state to restore");
            }

            tags.Add(new GpioTagSettings(id, pin, direction, pull, activeLow, debounce, safeState));
        }

        return new GpioSettings(chip, tags);
    }

    public IDeviceDriver Create(DeviceDescriptor device, DriverSettings settings, DriverContext context) =>
        new GpioDeviceDriver(device, (GpioSettings)settings, _opener, context.TimeProvider, context.LoggerFactory.CreateLogger("SmartCity.Edge.Drivers.Gpio"));

    private static void RejectForOutputs(ConfigSection tag, string key, string why)
    {
        if (tag.Has(key))
        {
            tag.Error(key, $"'{key}' is not valid on a 'direction: output' tag: {why}");
        }
    }
}
