using System.Device.I2c;
using SmartCity.Edge.Drivers.I2c;

namespace SmartCity.Edge.Drivers.Tests.I2c;

/// <summary>Hands the driver under test a fake sensor and records which bus and address it asked for.</summary>
internal sealed class FakeI2cBusOpener : II2cBusOpener
{
    private readonly I2cDevice _device;

    public FakeI2cBusOpener(I2cDevice device)
    {
        _device = device;
    }

    public (int Bus, int Address)? Opened { get; private set; }

    public I2cDevice Open(int bus, int address)
    {
        Opened = (bus, address);
        return _device;
    }
}
