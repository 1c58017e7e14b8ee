using System.Globalization;

namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>The technician-readable <see cref="DeviceException"/>s of the GPIO driver, in one place so the wording stays consistent.</summary>
internal static class GpioErrors
{
    /// <summary>Group names differ by distribution: Raspberry Pi OS ships a <c>gpio</c> group, Ubuntu gives the chips to <c>dialout</c>.</summary>
    public const string GroupAdvice =
        "add the service user to the group that owns it ('gpio' on Raspberry Pi OS, 'dialout' on Ubuntu), " +
        "e.g. 'sudo usermod -aG gpio smartcity-edge', then restart the service";

    public static DeviceException ChipMissing(string path, IReadOnlyList<string> available)
    {
        string found = available.Count == 0
            ? "this machine has no GPIO chip at all (no /dev/gpiochip*); GPIO devices only work on a board with GPIO such as a Raspberry Pi"
            : $"available: {string.Join(", ", available)}; set gpio_chip to one of them (a Raspberry Pi 5 on a kernel from before mid-2024 exposes its header as gpiochip4)";
        return new DeviceException($"GPIO chip {path} does not exist: {found}.") { Kind = "missing" };
    }

    public static DeviceException PermissionDenied(string path, Exception inner) =>
        new($"Permission denied opening {path}: {GroupAdvice}.", inner) { Kind = "permission" };

    public static DeviceException LibraryMissing(string path, Exception inner) =>
        new($"Cannot open {path}: libgpiod is not installed; install it with 'sudo apt install libgpiod3' (Debian 13) or 'sudo apt install libgpiod2' (Debian 12).", inner) { Kind = "library" };

    public static DeviceException ChipFailed(string path, Exception inner) =>
        new($"Cannot open {path}: {inner.Message}", inner) { Kind = "error" };

    public static DeviceException PinOutOfRange(string tagId, int pin, int chip, int lines) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Tag '{tagId}': pin {pin} does not exist on gpiochip{chip}, which has {lines} lines (0 to {lines - 1}).")) { Kind = "config" };

    public static DeviceException PinFailed(string tagId, int pin, int chip, string action, Exception inner)
    {
        string hint = inner switch
        {
            UnauthorizedAccessException => $"permission denied; {GroupAdvice}",
            InvalidOperationException or IOException when inner.Message.Contains("busy", StringComparison.OrdinalIgnoreCase) =>
                "the line is in use by another program or another device of this gateway (check 'gpioinfo')",
            _ => inner.Message,
        };
        return new DeviceException(string.Create(CultureInfo.InvariantCulture, $"Tag '{tagId}': cannot {action} pin {pin} on gpiochip{chip}: {hint}"), inner) { Kind = "io" };
    }
}
