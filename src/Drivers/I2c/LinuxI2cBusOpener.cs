using System.Device.I2c;
using System.Globalization;

namespace SmartCity.Edge.Drivers.I2c;

/// <summary>
/// Opens an I2C bus through the Linux i2c-dev interface (<c>/dev/i2c-N</c>). Checks the device node first so a
/// disabled bus or a missing group membership is reported as such; System.Device.I2c opens the node lazily and would
/// otherwise fail later with only an errno.
/// </summary>
public sealed class LinuxI2cBusOpener : II2cBusOpener
{
    private readonly string _deviceDirectory;

    public LinuxI2cBusOpener()
        : this("/dev")
    {
    }

    /// <param name="deviceDirectory">Where the <c>i2c-N</c> nodes live; <c>/dev</c> except in tests.</param>
    public LinuxI2cBusOpener(string deviceDirectory)
    {
        _deviceDirectory = deviceDirectory;
    }

    public I2cDevice Open(int bus, int address)
    {
        string path = Path.Combine(_deviceDirectory, string.Create(CultureInfo.InvariantCulture, $"i2c-{bus}"));
        if (!File.Exists(path))
        {
            throw I2cErrors.BusMissing(path, AvailableBuses());
        }

        try
        {
            using var probe = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw I2cErrors.PermissionDenied(path, ex);
        }
        catch (IOException ex)
        {
            throw I2cErrors.BusFailed(path, ex);
        }

        try
        {
            return I2cDevice.Create(new I2cConnectionSettings(bus, address));
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or ArgumentException)
        {
            throw I2cErrors.BusFailed(path, ex);
        }
    }

    private List<string> AvailableBuses()
    {
        try
        {
            var buses = Directory.GetFiles(_deviceDirectory, "i2c-*");
            Array.Sort(buses, StringComparer.Ordinal);
            return [.. buses];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
