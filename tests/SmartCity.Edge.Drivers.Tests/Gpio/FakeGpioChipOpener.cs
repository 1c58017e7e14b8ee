using System.Device.Gpio;
using SmartCity.Edge.Drivers.Gpio;

namespace SmartCity.Edge.Drivers.Tests.Gpio;

/// <summary>Hands the driver under test a <see cref="FakeGpioDriver"/> for the chip it asks for.</summary>
internal sealed class FakeGpioChipOpener : IGpioChipOpener
{
    public FakeGpioChipOpener(FakeGpioDriver chip)
    {
        Chip = chip;
    }

    public FakeGpioDriver Chip { get; }

    public int? OpenedChip { get; private set; }

    public GpioDriver Open(int chip)
    {
        OpenedChip = chip;
        return Chip;
    }
}
