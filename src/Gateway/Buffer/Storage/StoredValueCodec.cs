using System.Buffers.Binary;
using System.Text;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>A <see cref="TagValue"/> in the buffer's encoding (<see cref="StoredValueEncoding"/>): shared by frames and alarm records.</summary>
internal static class StoredValueCodec
{
    /// <summary>Doubles of whole numbers up to 2^53 are stored as integers (exactly representable up to there).</summary>
    public const ulong MaxIntegral = 9_007_199_254_740_992UL;

    /// <summary>The most bytes <see cref="Write"/> takes for <paramref name="value"/>.</summary>
    public static int MaxLength(TagValue value) =>
        value.Kind == TagValueKind.String ? VarInt.MaxLength + Encoding.UTF8.GetMaxByteCount(value.AsString()!.Length) : VarInt.MaxLength;

    /// <summary>Writes the value's payload at <paramref name="position"/> and returns its encoding (for the head byte).</summary>
    public static StoredValueEncoding Write(Span<byte> span, ref int position, TagValue value)
    {
        switch (value.Kind)
        {
            case TagValueKind.Boolean:
                return value.AsBoolean() ? StoredValueEncoding.True : StoredValueEncoding.False;
            case TagValueKind.Int64:
                long integer = value.AsInt64();
                VarInt.Write(span, ref position, integer >= 0 ? (ulong)integer : ~(ulong)integer);
                return integer >= 0 ? StoredValueEncoding.Int64 : StoredValueEncoding.NegativeInt64;
            case TagValueKind.UInt64:
                VarInt.Write(span, ref position, value.AsUInt64());
                return StoredValueEncoding.UInt64;
            case TagValueKind.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(span[position..], value.AsSingle());
                position += 4;
                return StoredValueEncoding.Float32;
            case TagValueKind.Double:
                double real = value.AsDouble();

                // -0.0, NaN, infinities and fractions keep all 8 bytes.
                if (real == Math.Floor(real) && Math.Abs(real) <= MaxIntegral && !double.IsNegative(real))
                {
                    VarInt.Write(span, ref position, (ulong)real);
                    return StoredValueEncoding.Float64Integral;
                }

                if (real == Math.Floor(real) && Math.Abs(real) <= MaxIntegral && real < 0)
                {
                    VarInt.Write(span, ref position, ~(ulong)(long)real);
                    return StoredValueEncoding.Float64NegativeIntegral;
                }

                BinaryPrimitives.WriteDoubleLittleEndian(span[position..], real);
                position += 8;
                return StoredValueEncoding.Float64;
            case TagValueKind.String:
                string text = value.AsString()!;
                VarInt.Write(span, ref position, (ulong)Encoding.UTF8.GetByteCount(text));
                position += Encoding.UTF8.GetBytes(text, span[position..]);
                return StoredValueEncoding.String;
            default:
                return StoredValueEncoding.None;
        }
    }

    /// <summary>
    /// Reads the payload of a value stored as <paramref name="encoding"/> at <paramref name="position"/>. Throws
    /// <see cref="StoredFormatException"/> when it is truncated, out of range or of an unknown encoding.
    /// </summary>
    public static void Read(ReadOnlySpan<byte> source, scoped ref int position, StoredValueEncoding encoding, out ulong bits, out ReadOnlySpan<byte> text)
    {
        bits = 0;
        text = default;
        switch (encoding)
        {
            case StoredValueEncoding.None or StoredValueEncoding.False or StoredValueEncoding.True:
                return;
            case StoredValueEncoding.Int64 or StoredValueEncoding.NegativeInt64:
                bits = ReadVarInt(source, ref position);
                if (bits > long.MaxValue)
                {
                    throw new StoredFormatException("damaged value: integer beyond 64 bits");
                }

                return;
            case StoredValueEncoding.UInt64:
                bits = ReadVarInt(source, ref position);
                return;
            case StoredValueEncoding.Float64Integral or StoredValueEncoding.Float64NegativeIntegral:
                bits = ReadVarInt(source, ref position);
                if (bits > MaxIntegral)
                {
                    throw new StoredFormatException("damaged value: whole number beyond 2^53");
                }

                return;
            case StoredValueEncoding.Float32:
                bits = BinaryPrimitives.ReadUInt32LittleEndian(Take(source, ref position, 4));
                return;
            case StoredValueEncoding.Float64:
                bits = BinaryPrimitives.ReadUInt64LittleEndian(Take(source, ref position, 8));
                return;
            case StoredValueEncoding.String:
                ulong length = ReadVarInt(source, ref position);
                text = Take(source, ref position, length <= int.MaxValue ? (int)length : int.MaxValue);
                return;
            default:
                throw new StoredFormatException($"damaged value: encoding {(int)encoding}");
        }
    }

    /// <summary>The value a stored payload stands for (strings are materialised).</summary>
    public static TagValue ToTagValue(StoredValueEncoding encoding, ulong bits, ReadOnlySpan<byte> text) => encoding switch
    {
        StoredValueEncoding.False => TagValue.FromBoolean(false),
        StoredValueEncoding.True => TagValue.FromBoolean(true),
        StoredValueEncoding.Int64 => TagValue.FromInt64((long)bits),
        StoredValueEncoding.NegativeInt64 => TagValue.FromInt64(~(long)bits),
        StoredValueEncoding.UInt64 => TagValue.FromUInt64(bits),
        StoredValueEncoding.Float32 => TagValue.FromSingle(BitConverter.Int32BitsToSingle((int)bits)),
        StoredValueEncoding.Float64 => TagValue.FromDouble(BitConverter.Int64BitsToDouble((long)bits)),
        StoredValueEncoding.Float64Integral => TagValue.FromDouble(bits),
        StoredValueEncoding.Float64NegativeIntegral => TagValue.FromDouble(~(long)bits),
        StoredValueEncoding.String => TagValue.FromString(Encoding.UTF8.GetString(text)),
        _ => TagValue.None,
    };

    private static ulong ReadVarInt(ReadOnlySpan<byte> source, scoped ref int position) =>
        VarInt.TryRead(source, ref position, out ulong value) ? value : throw new StoredFormatException("damaged value: truncated or overlong number");

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> source, scoped ref int position, int count)
    {
        if (count > source.Length - position)
        {
            throw new StoredFormatException("damaged value: truncated");
        }

        ReadOnlySpan<byte> bytes = source.Slice(position, count);
        position += count;
        return bytes;
    }
}
