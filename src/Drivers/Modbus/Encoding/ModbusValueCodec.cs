using System.Buffers.Binary;
using System.Text;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// Turns register bytes as they came off the wire (big-endian registers, AP §4.2) into tag values and back, applying
/// the byte order and scale/offset. Pure; no allocation except for strings.
/// </summary>
public static class ModbusValueCodec
{
    /// <summary>Reads bit <paramref name="index"/> of packed coil/discrete data (first bit = LSB of byte 0, AP §6.1).</summary>
    public static bool GetPackedBit(ReadOnlySpan<byte> packed, int index) => ((packed[index >> 3] >> (index & 7)) & 1) != 0;

    /// <summary>
    /// Decodes a register-table value from <paramref name="registers"/> (exactly <see cref="ModbusTagType.RegisterCount"/>·2
    /// bytes). <paramref name="bit"/> ≥ 0 picks one bit of the first register.
    /// </summary>
    public static TagValue Decode(ReadOnlySpan<byte> registers, ModbusTagType type, ModbusByteOrder order, int bit, double scale, double offset)
    {
        Span<byte> be = stackalloc byte[8];
        TagValue raw;
        switch (type.DataType)
        {
            case ModbusDataType.Bool:
                ushort word = BinaryPrimitives.ReadUInt16BigEndian(registers);
                return TagValue.FromBoolean(bit >= 0 ? ((word >> bit) & 1) != 0 : word != 0);
            case ModbusDataType.Int16:
                Reorder(registers[..2], be, order);
                raw = TagValue.FromInt64(BinaryPrimitives.ReadInt16BigEndian(be));
                break;
            case ModbusDataType.UInt16:
                Reorder(registers[..2], be, order);
                raw = TagValue.FromInt64(BinaryPrimitives.ReadUInt16BigEndian(be));
                break;
            case ModbusDataType.Int32:
                Reorder(registers[..4], be, order);
                raw = TagValue.FromInt64(BinaryPrimitives.ReadInt32BigEndian(be));
                break;
            case ModbusDataType.UInt32:
                Reorder(registers[..4], be, order);
                raw = TagValue.FromInt64(BinaryPrimitives.ReadUInt32BigEndian(be));
                break;
            case ModbusDataType.Int64:
                Reorder(registers[..8], be, order);
                raw = TagValue.FromInt64(BinaryPrimitives.ReadInt64BigEndian(be));
                break;
            case ModbusDataType.UInt64:
                Reorder(registers[..8], be, order);
                raw = TagValue.FromUInt64(BinaryPrimitives.ReadUInt64BigEndian(be));
                break;
            case ModbusDataType.Float32:
                Reorder(registers[..4], be, order);
                float single = BinaryPrimitives.ReadSingleBigEndian(be);

                // A float32 stays a float32, scaled too: the register holds no more precision than that.
                return TagValue.FromSingle(scale == 1 && offset == 0 ? single : (float)((single * scale) + offset));
            case ModbusDataType.Float64:
                Reorder(registers[..8], be, order);
                raw = TagValue.FromDouble(BinaryPrimitives.ReadDoubleBigEndian(be));
                break;
            case ModbusDataType.String:
                return TagValue.FromString(DecodeString(registers[..(2 * type.RegisterCount)], type.StringLength, order));
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown data type");
        }

        return scale == 1 && offset == 0 ? raw : TagValue.FromDouble((raw.AsDouble() * scale) + offset);
    }

    /// <summary>
    /// Encodes <paramref name="value"/> (in engineering units: scale/offset are undone) into registers for a write.
    /// Returns false with <paramref name="error"/> when it does not fit the type.
    /// </summary>
    public static bool TryEncode(TagValue value, ModbusTagType type, ModbusByteOrder order, double scale, double offset, Span<ushort> registers, out string error)
    {
        error = string.Empty;
        Span<byte> be = stackalloc byte[8];
        Span<byte> wire = stackalloc byte[8];
        int size = 2 * type.RegisterCount;
        if (type.DataType == ModbusDataType.String)
        {
            if (value.AsString() is not { } text)
            {
                error = $"a {type} tag takes text, not {TagValueText.Describe(value)}";
                return false;
            }

            Span<byte> bytes = stackalloc byte[2 * ModbusLimits.MaxReadRegisters];
            bytes[..size].Clear();
            if (text.Length > type.StringLength)
            {
                error = $"{TagValueText.Describe(value)} is longer than {type.StringLength} characters";
                return false;
            }

            if (text.Any(c => c > 0xFF))
            {
                // Latin-1 would put '?' in their place: the device would hold other text than was written.
                error = $"{TagValueText.Describe(value)} has characters outside Latin-1, which a {type} tag cannot hold";
                return false;
            }

            Encoding.Latin1.GetBytes(text, bytes);
            for (int i = 0; i < type.RegisterCount; i++)
            {
                ushort word = BinaryPrimitives.ReadUInt16BigEndian(bytes[(2 * i)..]);
                registers[i] = order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA ? BinaryPrimitives.ReverseEndianness(word) : word;
            }

            return true;
        }

        if (type.DataType == ModbusDataType.Bool)
        {
            if (!TryGetBit(value, out bool bit))
            {
                error = $"a bool tag takes true or false (or 1 or 0), not {TagValueText.Describe(value)}";
                return false;
            }

            BinaryPrimitives.WriteUInt16BigEndian(be, bit ? (ushort)1 : (ushort)0);
            Reorder(be[..size], wire, order);
            registers[0] = BinaryPrimitives.ReadUInt16BigEndian(wire);
            return true;
        }

        // A number only: text, a boolean (a slip for a setpoint), NaN or infinity never become a register value.
        if (!value.IsNumeric || value.Kind == TagValueKind.Boolean || !double.IsFinite(value.AsDouble()))
        {
            error = $"a {type} tag takes a number, not {TagValueText.Describe(value)}";
            return false;
        }

        double engineering = value.AsDouble();
        bool scaled = scale != 1 || offset != 0;
        double rawValue = scaled ? (engineering - offset) / scale : engineering;
        bool integral = value.Kind is TagValueKind.Int64 or TagValueKind.UInt64 && !scaled;
        if (!scaled && type.DataType is not (ModbusDataType.Float32 or ModbusDataType.Float64) && !integral && Math.Floor(rawValue) != rawValue)
        {
            // Unscaled, the register holds exactly the number written: 3.7 would silently become 4.
            error = $"{engineering} is not a whole number; a {type} tag holds whole numbers";
            return false;
        }

        switch (type.DataType)
        {
            case ModbusDataType.Int16:
                if (!InRange(rawValue, short.MinValue, short.MaxValue, type, out error))
                {
                    return false;
                }

                BinaryPrimitives.WriteInt16BigEndian(be, (short)Math.Round(rawValue));
                break;
            case ModbusDataType.UInt16:
                if (!InRange(rawValue, ushort.MinValue, ushort.MaxValue, type, out error))
                {
                    return false;
                }

                BinaryPrimitives.WriteUInt16BigEndian(be, (ushort)Math.Round(rawValue));
                break;
            case ModbusDataType.Int32:
                if (!InRange(rawValue, int.MinValue, int.MaxValue, type, out error))
                {
                    return false;
                }

                BinaryPrimitives.WriteInt32BigEndian(be, (int)Math.Round(rawValue));
                break;
            case ModbusDataType.UInt32:
                if (!InRange(rawValue, uint.MinValue, uint.MaxValue, type, out error))
                {
                    return false;
                }

                BinaryPrimitives.WriteUInt32BigEndian(be, (uint)Math.Round(rawValue));
                break;
            case ModbusDataType.Int64:
                if (integral ? value.Kind == TagValueKind.UInt64 && value.AsUInt64() > long.MaxValue : !InRange64(rawValue, signed: true))
                {
                    error = $"{TagValueText.Describe(value)} does not fit an int64";
                    return false;
                }

                BinaryPrimitives.WriteInt64BigEndian(be, integral ? value.AsInt64() : (long)Math.Round(rawValue));
                break;
            case ModbusDataType.UInt64:
                if (integral ? value.Kind == TagValueKind.Int64 && value.AsInt64() < 0 : !InRange64(rawValue, signed: false))
                {
                    error = $"{TagValueText.Describe(value)} does not fit a uint64 (0 to 18446744073709551615)";
                    return false;
                }

                BinaryPrimitives.WriteUInt64BigEndian(be, integral ? value.AsUInt64() : (ulong)Math.Round(rawValue));
                break;
            case ModbusDataType.Float32:
                if (Math.Abs(rawValue) > float.MaxValue)
                {
                    error = $"{engineering} does not fit a float32 (at most ±3.4e38)";
                    return false;
                }

                BinaryPrimitives.WriteSingleBigEndian(be, (float)rawValue);
                break;
            case ModbusDataType.Float64:
                if (!double.IsFinite(rawValue))
                {
                    error = $"{engineering} scaled to the register is not a finite number";
                    return false;
                }

                BinaryPrimitives.WriteDoubleBigEndian(be, rawValue);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "unknown data type");
        }

        Reorder(be[..size], wire, order);
        for (int i = 0; i < type.RegisterCount; i++)
        {
            registers[i] = BinaryPrimitives.ReadUInt16BigEndian(wire[(2 * i)..]);
        }

        return true;
    }

    /// <summary>
    /// Permutes 2, 4 or 8 bytes between wire order and big-endian. Every order is an involution, so this works both ways.
    /// </summary>
    public static void Reorder(ReadOnlySpan<byte> source, Span<byte> destination, ModbusByteOrder order)
    {
        int n = source.Length;
        for (int i = 0; i < n; i++)
        {
            destination[i] = order switch
            {
                ModbusByteOrder.ABCD => source[i],
                ModbusByteOrder.DCBA => source[n - 1 - i],
                ModbusByteOrder.BADC => source[i ^ 1],
                // Registers in reverse order, bytes within each kept; for one register that is the identity.
                _ => source[n - 2 - (i & ~1) + (i & 1)],
            };
        }
    }

    private static string DecodeString(ReadOnlySpan<byte> registers, int length, ModbusByteOrder order)
    {
        Span<byte> bytes = stackalloc byte[registers.Length];
        registers.CopyTo(bytes);
        if (order is ModbusByteOrder.BADC or ModbusByteOrder.DCBA)
        {
            for (int i = 0; i + 1 < bytes.Length; i += 2)
            {
                (bytes[i], bytes[i + 1]) = (bytes[i + 1], bytes[i]);
            }
        }

        bytes = bytes[..length];
        int end = bytes.IndexOf((byte)0);
        if (end >= 0)
        {
            bytes = bytes[..end];
        }

        return Encoding.Latin1.GetString(bytes).TrimEnd(' ');
    }

    /// <summary>A coil or bool value: true/false, or a number that is exactly 1 or 0 (5 is a mistake, not "on").</summary>
    public static bool TryGetBit(TagValue value, out bool bit)
    {
        bit = false;
        switch (value.Kind)
        {
            case TagValueKind.Boolean:
                bit = value.AsBoolean();
                return true;
            case not TagValueKind.String and not TagValueKind.None when value.AsDouble() is 0 or 1:
                bit = value.AsDouble() == 1;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether a rounded double fits a 64-bit integer; the bounds are exact powers of two, so compared as such.</summary>
    private static bool InRange64(double value, bool signed)
    {
        double rounded = Math.Round(value);
        return signed
            ? rounded >= -9223372036854775808.0 && rounded < 9223372036854775808.0
            : rounded >= 0 && rounded < 18446744073709551616.0;
    }

    private static bool InRange(double value, double min, double max, ModbusTagType type, out string error)
    {
        if (double.IsFinite(value) && Math.Round(value) >= min && Math.Round(value) <= max)
        {
            error = string.Empty;
            return true;
        }

        error = $"{value} does not fit a {type} ({min}..{max})";
        return false;
    }
}
