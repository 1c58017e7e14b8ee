namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Cuts RTU replies by their expected length rather than by silence, which a PC behind a USB adapter cannot see
/// (SL §2.5.1.1 gaps; libmodbus <c>_modbus_receive_msg</c>, grid-x <c>readIncrementally</c> do the same).
/// <code>
/// exception:      | address | FC|0x80 | code | CRC lo | CRC hi |                    5 bytes
/// 01/02/03/04:    | address | FC | byte count N | N data bytes | CRC lo | CRC hi |   N + 5 bytes
/// 05/06/15/16:    | address | FC | 4 echo bytes | CRC lo | CRC hi |                8 bytes
/// 43/14:          | address | 0x2B | 0x0E | 5 header bytes | N objects {id, L, L bytes} | CRC lo | CRC hi |
/// </code>
/// A Read Device Identification reply has no byte count: its length is known only after walking every object
/// (<see cref="ModbusDeviceIdResponse.TryRead"/>, which rejects lengths past the PDU limit before waiting for them).
/// </summary>
internal static class ModbusRtuFrameLength
{
    /// <summary>
    /// The whole length of the reply that starts with <paramref name="head"/>, for a request with <paramref name="requestFunction"/>.
    /// False when more bytes are needed to know it (2 for most, 3 for reads, the whole object list for 43/14). Throws a request-scoped protocol error
    /// when the function code is neither the request's nor its exception.
    /// </summary>
    public static bool TryGet(ReadOnlySpan<byte> head, ModbusFunctionCode requestFunction, out int length)
    {
        length = 0;
        if (head.Length < 2)
        {
            return false;
        }

        byte fc = head[1];
        if (fc == ((byte)requestFunction | (byte)ModbusFunctionCode.ExceptionFlag))
        {
            length = 5;
            return true;
        }

        if (fc != (byte)requestFunction)
        {
            throw new ModbusProtocolException($"RTU reply has function code {fc} to a request with {(byte)requestFunction}", ModbusErrorScope.Request);
        }

        switch (requestFunction)
        {
            case ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs
                or ModbusFunctionCode.ReadHoldingRegisters or ModbusFunctionCode.ReadInputRegisters:
                if (head.Length < 3)
                {
                    return false;
                }

                // Byte count is one byte, so the frame is at most 255 + 5 = 260: still bounded by the buffer we own.
                length = head[2] + 5;
                return true;
            case ModbusFunctionCode.WriteSingleCoil or ModbusFunctionCode.WriteSingleRegister
                or ModbusFunctionCode.WriteMultipleCoils or ModbusFunctionCode.WriteMultipleRegisters:
                length = 8;
                return true;
            case ModbusFunctionCode.EncapsulatedInterfaceTransport:
                if (!ModbusDeviceIdResponse.TryRead(head[1..], out _, out int pduLength))
                {
                    return false;
                }

                length = 1 + pduLength + 2;
                return true;
            default:
                throw new ModbusProtocolException($"function code {(byte)requestFunction} is not supported over RTU by this master", ModbusErrorScope.Request);
        }
    }
}
