using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Globalization;

namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>
/// Opens a GPIO chip through the kernel's character device with libgpiod, the supported way on current Raspberry Pi OS
/// and other Linux boards (the sysfs interface is deprecated). Checks the device node first so that a missing chip or a
/// missing group membership is reported as such instead of as a native library error.
/// </summary>
public sealed class LibGpiodChipOpener : IGpioChipOpener
{
    private readonly string _deviceDirectory;

    public LibGpiodChipOpener()
        : this("/dev")
    {
    }

    /// <param name="deviceDirectory">Where the <c>gpiochipN</c> nodes live; <c>/dev</c> except in tests.</param>
    public LibGpiodChipOpener(string deviceDirectory)
    {
        _deviceDirectory = deviceDirectory;
    }

    public GpioDriver Open(int chip)
    {
        string path = Path.Combine(_deviceDirectory, string.Create(CultureInfo.InvariantCulture, $"gpiochip{chip}"));
        if (!File.Exists(path))
        {
            throw GpioErrors.ChipMissing(path, AvailableChips());
        }

        try
        {
            // libgpiod opens the node read-write; doing it here first turns EACCES into a message naming the group.
            using var probe = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw GpioErrors.PermissionDenied(path, ex);
        }
        catch (IOException ex)
        {
            throw GpioErrors.ChipFailed(path, ex);
        }

        return CreateDriver(chip, path);
    }

    private static GpioDriver CreateDriver(int chip, string path)
    {
        try
        {
            // libgpiod 2.x (libgpiod.so.3) ships with Debian 13 based Raspberry Pi OS; older systems have libgpiod 1.x.
            return new LibGpiodV2Driver(chip);
        }
        catch (GpiodException ex) when (ex.InnerException is DllNotFoundException or EntryPointNotFoundException)
        {
            // Fall through to the 1.x library.
        }
        catch (Exception ex) when (ex is GpiodException or IOException or InvalidOperationException)
        {
            throw GpioErrors.ChipFailed(path, ex);
        }

        try
        {
            return new LibGpiodDriver(chip);
        }
        catch (PlatformNotSupportedException ex)
        {
            throw GpioErrors.LibraryMissing(path, ex);
        }
        catch (Exception ex) when (ex is GpiodException or IOException or InvalidOperationException or DllNotFoundException)
        {
            throw GpioErrors.ChipFailed(path, ex);
        }
    }

    private List<string> AvailableChips()
    {
        try
        {
            var chips = Directory.GetFiles(_deviceDirectory, "gpiochip*");
            Array.Sort(chips, StringComparer.Ordinal);
            return [.. chips];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
