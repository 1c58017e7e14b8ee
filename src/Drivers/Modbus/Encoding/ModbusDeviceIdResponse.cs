using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Read Device Identification reply PDU (AP §6.21). It has no byte count: its length is only known by walking the
/// object list, which <see cref="TryRead"/> does, checking every declared length against the 253-byte PDU limit
/// (AP §4.1) before it is trusted. The RTU framing uses the same walk to cut the frame (modbus-notes §4, step 3).
/// <code>
///  0      1          2                  3                 4             5              6                 7
/// +------+----------+------------------+-----------------+-------------+--------------+-----------------+--------- - -
/// | 0x2B | MEI 0x0E | ReadDeviceIdCode | ConformityLevel | MoreFollows | NextObjectId | NumberOfObjects | objects…
/// +------+----------+------------------+-----------------+-------------+--------------+-----------------+--------- - -
/// each object:  | ObjectId | ObjectLength L | L bytes of value |
/// MoreFollows:  0x00 = this is the last part; 0xFF = ask again with ObjectId = NextObjectId (stream access only).
/// </code>
/// </summary>
public readonly record struct ModbusDeviceIdResponse(
    ModbusDeviceIdCode ReadDeviceIdCode,
    byte ConformityLevel,
    bool MoreFollows,
    byte NextObjectId,
    byte NumberOfObjects)
{
    public const int HeaderSize = 7;

    private const byte MoreFollowsNo = 0x00;
    private const byte MoreFollowsYes = 0xFF;

    /// <summary>
    /// Reads a reply that starts at <paramref name="source"/>[0] (the function code). False when more bytes are needed;
    /// <paramref name="consumed"/> is then the PDU's whole length. Throws a request-scoped
    /// <see cref="ModbusProtocolException"/> when a field is invalid or the objects would run past the PDU limit.
    /// Bytes after the last object are not looked at (an RTU frame's CRC follows).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ModbusDeviceIdResponse response, out int consumed)
    {
        response = default;
        consumed = 0;
        if (source.Length < 1)
        {
            return false;
        }

        if (source[0] != (byte)ModbusFunctionCode.EncapsulatedInterfaceTransport)
        {
            ThrowMalformed($"function code {source[0]} (expected 43)");
        }

        if (source.Length < 2)
        {
            return false;
        }

        if (source[1] != ModbusDeviceIdRequest.MeiType)
        {
            ThrowMalformed($"MEI type {source[1]} (expected 14, Read Device Identification)");
        }

        if (source.Length < HeaderSize)
        {
            return false;
        }

        if (!Enum.IsDefined((ModbusDeviceIdCode)source[2]))
        {
            ThrowMalformed($"Read Device ID code {source[2]} (expected 1..4)");
        }

        bool moreFollows = source[4] switch
        {
            MoreFollowsNo => false,
            MoreFollowsYes => true,
            _ => ThrowMalformed<bool>($"MoreFollows 0x{source[4]:X2} (expected 0x00 or 0xFF)"),
        };

        int count = source[6];
        int offset = HeaderSize;
        for (int i = 0; i < count; i++)
        {
            // Check the declared lengths before waiting for the bytes: a bogus length must fail now, not after a timeout.
            if (offset + 2 > ModbusLimits.MaxPduLength)
            {
                ThrowMalformed($"{count} objects do not fit in a {ModbusLimits.MaxPduLength}-byte PDU (object {i} starts at byte {offset})");
            }

            if (source.Length < offset + 2)
            {
                return false;
            }

            int end = offset + 2 + source[offset + 1];
            if (end > ModbusLimits.MaxPduLength)
            {
                ThrowMalformed($"object 0x{source[offset]:X2} declares {source[offset + 1]} bytes, ending at byte {end} of a PDU of at most {ModbusLimits.MaxPduLength}");
            }

            if (source.Length < end)
            {
                return false;
            }

            offset = end;
        }

        response = new ModbusDeviceIdResponse((ModbusDeviceIdCode)source[2], source[3], moreFollows, source[5], (byte)count);
        consumed = offset;
        return true;
    }

    /// <summary>
    /// Parses a whole reply PDU as a channel delivers it: an exception reply throws
    /// <see cref="ModbusExceptionResponseException"/>, a truncated or overlong one a request-scoped <see cref="ModbusProtocolException"/>.
    /// </summary>
    public static ModbusDeviceIdResponse Parse(ReadOnlySpan<byte> reply)
    {
        const byte exceptionFunction = (byte)ModbusFunctionCode.EncapsulatedInterfaceTransport | (byte)ModbusFunctionCode.ExceptionFlag;
        if (reply.Length > 0 && reply[0] == exceptionFunction)
        {
            if (reply.Length != 2)
            {
                ThrowMalformed($"an exception reply of {reply.Length} bytes (expected 2)");
            }

            throw new ModbusExceptionResponseException(ModbusFunctionCode.EncapsulatedInterfaceTransport, (ModbusExceptionCode)reply[1]);
        }

        if (!TryRead(reply, out ModbusDeviceIdResponse response, out int consumed))
        {
            ThrowMalformed($"a truncated reply of {reply.Length} bytes ({Convert.ToHexString(reply)})");
        }

        if (consumed != reply.Length)
        {
            ThrowMalformed($"{reply.Length - consumed} bytes after the last of {response.NumberOfObjects} objects");
        }

        return response;
    }

    /// <summary>Copies the objects of <paramref name="pdu"/>, a reply <see cref="TryRead"/> accepted as this response.</summary>
    public void AddObjectsTo(ReadOnlySpan<byte> pdu, ICollection<ModbusDeviceIdObject> objects)
    {
        int offset = HeaderSize;
        for (int i = 0; i < NumberOfObjects; i++)
        {
            int length = pdu[offset + 1];
            Debug.Assert(offset + 2 + length <= pdu.Length, "TryRead checked every object's length");
            objects.Add(new ModbusDeviceIdObject(pdu[offset], pdu.Slice(offset + 2, length).ToArray()));
            offset += 2 + length;
        }
    }

    /// <summary>The conformity level as text (AP §6.21): <c>0x83 (extended; individual access too)</c>.</summary>
    public static string DescribeConformityLevel(byte level)
    {
        string category = (level & 0x7F) switch
        {
            0x01 => "basic",
            0x02 => "regular",
            0x03 => "extended",
            _ => "not a level the specification defines",
        };
        string access = (level & 0x80) != 0 ? "; individual access too" : "; stream access only";
        return "0x" + level.ToString("X2", CultureInfo.InvariantCulture) + " (" + category + access + ")";
    }

    [DoesNotReturn]
    private static void ThrowMalformed(string what) => throw Malformed(what);

    [DoesNotReturn]
    private static T ThrowMalformed<T>(string what) => throw Malformed(what);

    private static ModbusProtocolException Malformed(string what) =>
        new("malformed Read Device Identification reply: " + what, ModbusErrorScope.Request);
}
