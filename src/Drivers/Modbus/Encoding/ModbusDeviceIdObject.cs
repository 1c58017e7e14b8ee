using System.Globalization;
using System.Text;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// One identification object (AP §6.21, Table "Device identification objects"): its id and raw value. The standard
/// objects 0x00–0x06 are ASCII strings; 0x07–0x7F are reserved; 0x80–0xFF are private and device-dependent (any bytes).
/// </summary>
public sealed record ModbusDeviceIdObject(byte ObjectId, byte[] Value)
{
    public const byte VendorName = 0x00;
    public const byte ProductCode = 0x01;
    public const byte MajorMinorRevision = 0x02;
    public const byte VendorUrl = 0x03;
    public const byte ProductName = 0x04;
    public const byte ModelName = 0x05;
    public const byte UserApplicationName = 0x06;
    public const byte FirstPrivate = 0x80;

    public bool IsPrivate => ObjectId >= FirstPrivate;

    /// <summary>The spec's name (<c>VendorName</c>), <c>Reserved</c> for 0x07–0x7F, <c>Private</c> for 0x80–0xFF.</summary>
    public string Name => ObjectId switch
    {
        VendorName => nameof(VendorName),
        ProductCode => nameof(ProductCode),
        MajorMinorRevision => nameof(MajorMinorRevision),
        VendorUrl => nameof(VendorUrl),
        ProductName => nameof(ProductName),
        ModelName => nameof(ModelName),
        UserApplicationName => nameof(UserApplicationName),
        < FirstPrivate => "Reserved",
        _ => "Private",
    };

    /// <summary>True when every byte is printable ASCII (the standard objects should be; private ones may be binary).</summary>
    public bool IsPrintableAscii => Value.All(static b => b is >= 0x20 and < 0x7F);

    /// <summary>The value as ASCII text when printable, else null: never guess an encoding for binary data.</summary>
    public string? Text => IsPrintableAscii ? Encoding.ASCII.GetString(Value) : null;

    /// <summary>The value as spaced hex bytes, e.g. <c>00 01 7F FF</c>.</summary>
    public string Hex => string.Join(' ', Value.Select(static b => b.ToString("X2", CultureInfo.InvariantCulture)));
}
