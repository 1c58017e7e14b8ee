using System.Buffers.Binary;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Request PDUs for function codes 01–06, 15, 16 and validation of their replies (AP §6). Request writers check the
/// quantity limits; reply parsing checks every field that came off the wire.
/// <code>
/// read request (01–04):   | FC | address u16 | quantity u16 |
/// read reply:             | FC | byte count N | N bytes |            N = ceil(q/8) for bits, 2q for registers
/// 05 / 06 request/echo:   | FC | address u16 | value u16 |          05: 0xFF00 on, 0x0000 off
/// 15 / 16 request:        | FC | address u16 | quantity u16 | byte count N | N bytes |
/// 15 / 16 reply:          | FC | address u16 | quantity u16 |
/// exception reply:        | FC|0x80 | exception code |
/// </code>
/// </summary>
internal static class ModbusPdu
{
    public const int ReadRequestLength = 5;

    public static bool TryWriteRead(Span<byte> destination, ModbusFunctionCode function, ushort address, ushort quantity, out int written)
    {
        int max = function is ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs ? ModbusLimits.MaxReadBits : ModbusLimits.MaxReadRegisters;
        if (function is not (ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs or ModbusFunctionCode.ReadHoldingRegisters or ModbusFunctionCode.ReadInputRegisters))
        {
            throw new ArgumentOutOfRangeException(nameof(function), function, "not a read function");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(quantity, (ushort)1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((int)quantity, max);
        return TryWriteFive(destination, function, address, quantity, out written);
    }

    public static bool TryWriteSingleCoil(Span<byte> destination, ushort address, bool on, out int written) =>
        TryWriteFive(destination, ModbusFunctionCode.WriteSingleCoil, address, on ? (ushort)0xFF00 : (ushort)0x0000, out written);

    public static bool TryWriteSingleRegister(Span<byte> destination, ushort address, ushort value, out int written) =>
        TryWriteFive(destination, ModbusFunctionCode.WriteSingleRegister, address, value, out written);

    public static bool TryWriteMultipleCoils(Span<byte> destination, ushort address, ReadOnlySpan<bool> values, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(values.Length, ModbusLimits.MaxWriteBits);
        int byteCount = (values.Length + 7) / 8;
        written = 6 + byteCount;
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }

        TryWriteFive(destination, ModbusFunctionCode.WriteMultipleCoils, address, (ushort)values.Length, out _);
        destination[5] = (byte)byteCount;
        Span<byte> bits = destination.Slice(6, byteCount);
        bits.Clear();
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                // The first coil is the least significant bit of the first byte (AP §6.11).
                bits[i >> 3] |= (byte)(1 << (i & 7));
            }
        }

        return true;
    }

    public static bool TryWriteMultipleRegisters(Span<byte> destination, ushort address, ReadOnlySpan<ushort> values, out int written)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(values.Length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(values.Length, ModbusLimits.MaxWriteRegisters);
        written = 6 + (2 * values.Length);
        if (destination.Length < written)
        {
            written = 0;
            return false;
        }

        TryWriteFive(destination, ModbusFunctionCode.WriteMultipleRegisters, address, (ushort)values.Length, out _);
        destination[5] = (byte)(2 * values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(6 + (2 * i))..], values[i]);
        }

        return true;
    }

    /// <summary>
    /// Checks <paramref name="response"/> against the <paramref name="request"/> it answers and returns the data bytes of a
    /// read reply (empty for writes). Throws <see cref="ModbusExceptionResponseException"/> for an exception reply and a
    /// request-scoped <see cref="ModbusProtocolException"/> for anything malformed.
    /// </summary>
    public static ReadOnlySpan<byte> ValidateResponse(ReadOnlySpan<byte> request, ReadOnlySpan<byte> response)
    {
        if (request.Length < ReadRequestLength)
        {
            throw new ArgumentException("request PDU too short", nameof(request));
        }

        var function = (ModbusFunctionCode)request[0];
        if (response.Length == 0)
        {
            ThrowMalformed("an empty reply");
        }

        if (response[0] == ((byte)function | (byte)ModbusFunctionCode.ExceptionFlag))
        {
            if (response.Length != 2)
            {
                ThrowMalformed($"an exception reply of {response.Length} bytes (expected 2)");
            }

            throw new ModbusExceptionResponseException(function, (ModbusExceptionCode)response[1]);
        }

        if (response[0] != (byte)function)
        {
            ThrowMalformed($"function code {response[0]} in the reply to function {(byte)function}");
        }

        switch (function)
        {
            case ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs
                or ModbusFunctionCode.ReadHoldingRegisters or ModbusFunctionCode.ReadInputRegisters:
                int quantity = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
                int expected = function is ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs ? (quantity + 7) / 8 : 2 * quantity;
                if (response.Length < 2 || response[1] != expected || response.Length != 2 + expected)
                {
                    ThrowMalformed($"a read reply with byte count {(response.Length < 2 ? -1 : response[1])} and {response.Length} bytes (expected byte count {expected})");
                }

                return response.Slice(2, expected);
            case ModbusFunctionCode.WriteSingleCoil or ModbusFunctionCode.WriteSingleRegister
                or ModbusFunctionCode.WriteMultipleCoils or ModbusFunctionCode.WriteMultipleRegisters:
                // 05/06 echo address and value; 15/16 echo address and quantity: the same four bytes of the request.
                if (response.Length != 5 || !response.Slice(1, 4).SequenceEqual(request.Slice(1, 4)))
                {
                    ThrowMalformed($"a write reply that does not echo the request ({Convert.ToHexString(response)})");
                }

                return [];
            default:
                throw new ArgumentException($"function {(byte)function} is not supported", nameof(request));
        }
    }

    private static bool TryWriteFive(Span<byte> destination, ModbusFunctionCode function, ushort first, ushort second, out int written)
    {
        if (destination.Length < 5)
        {
            written = 0;
            return false;
        }

        destination[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], first);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], second);
        written = 5;
        return true;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowMalformed(string what) =>
        throw new ModbusProtocolException("malformed reply: " + what, ModbusErrorScope.Request);
}
