namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Read Device Identification request PDU (AP §6.21), Encapsulated Interface Transport with MEI type 0x0E.
/// <code>
///  0      1          2                  3
/// +------+----------+------------------+----------+
/// | 0x2B | MEI 0x0E | ReadDeviceIdCode | ObjectId |
/// +------+----------+------------------+----------+
/// </code>
/// With stream access (codes 01–03) ObjectId is where to start: 0x00 first, then the reply's NextObjectId while
/// "more follows". With individual access (04) it names the one object to read.
/// </summary>
internal readonly record struct ModbusDeviceIdRequest(ModbusDeviceIdCode ReadDeviceIdCode, byte ObjectId)
{
    public const int Size = 4;

    /// <summary>MEI type of Read Device Identification (AP §6.21); 0x0D is CANopen General Reference (§6.20), not sent.</summary>
    public const byte MeiType = 0x0E;

    /// <summary>Reads a request. False when fewer than 4 bytes are available; throws a request-scoped protocol error when malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ModbusDeviceIdRequest request, out int consumed)
    {
        request = default;
        consumed = 0;
        if (source.Length < Size)
        {
            return false;
        }

        if (source[0] != (byte)ModbusFunctionCode.EncapsulatedInterfaceTransport || source[1] != MeiType)
        {
            throw new ModbusProtocolException($"not a Read Device Identification request: function {source[0]}, MEI type {source[1]} (expected 43 and 14)", ModbusErrorScope.Request);
        }

        if (!Enum.IsDefined((ModbusDeviceIdCode)source[2]))
        {
            throw new ModbusProtocolException($"Read Device ID code {source[2]} (expected 1 basic, 2 regular, 3 extended or 4 individual)", ModbusErrorScope.Request);
        }

        request = new ModbusDeviceIdRequest((ModbusDeviceIdCode)source[2], source[3]);
        consumed = Size;
        return true;
    }

    /// <summary>Writes the request. False when <paramref name="destination"/> is shorter than 4 bytes.</summary>
    public bool TryWrite(Span<byte> destination, out int written)
    {
        if (!Enum.IsDefined(ReadDeviceIdCode))
        {
            throw new ArgumentOutOfRangeException(nameof(ReadDeviceIdCode), ReadDeviceIdCode, "not a Read Device ID code");
        }

        if (destination.Length < Size)
        {
            written = 0;
            return false;
        }

        destination[0] = (byte)ModbusFunctionCode.EncapsulatedInterfaceTransport;
        destination[1] = MeiType;
        destination[2] = (byte)ReadDeviceIdCode;
        destination[3] = ObjectId;
        written = Size;
        return true;
    }
}
