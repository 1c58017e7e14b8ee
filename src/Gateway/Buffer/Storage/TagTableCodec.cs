using System.Buffers;
using System.Text;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer.Storage;

/// <summary>
/// A <see cref="TagTable"/>'s tags as the buffer stores them once (table <c>tag_tables</c>), for the frames that refer
/// to it: <c>count:varint (type:u8 length:varint utf8)*count</c>. The device id is a column of its own.
/// </summary>
internal static class TagTableCodec
{
    public static byte[] Encode(TagTable table)
    {
        var output = new ArrayBufferWriter<byte>(16 + (table.Count * 12));
        Span<byte> head = output.GetSpan(VarInt.MaxLength);
        int position = 0;
        VarInt.Write(head, ref position, (ulong)table.Count);
        output.Advance(position);
        foreach (TagTableEntry tag in table.Tags)
        {
            Span<byte> span = output.GetSpan(1 + VarInt.MaxLength + Encoding.UTF8.GetMaxByteCount(tag.Id.Length));
            position = 0;
            span[position++] = (byte)tag.DataType;
            VarInt.Write(span, ref position, (ulong)Encoding.UTF8.GetByteCount(tag.Id));
            position += Encoding.UTF8.GetBytes(tag.Id, span[position..]);
            output.Advance(position);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a stored table; throws <see cref="StoredFormatException"/> when the bytes are damaged.</summary>
    public static TagTable Decode(string deviceId, ReadOnlySpan<byte> tags)
    {
        int position = 0;
        ulong count = Read(tags, ref position);
        if (count > (ulong)tags.Length)
        {
            throw new StoredFormatException($"damaged tag table of device '{deviceId}': {count} tags in {tags.Length} bytes");
        }

        var entries = new TagTableEntry[(int)count];
        for (int i = 0; i < entries.Length; i++)
        {
            if (position >= tags.Length || tags[position] > (byte)TagDataType.String)
            {
                throw new StoredFormatException($"damaged tag table of device '{deviceId}': tag {i} has no or an unknown type");
            }

            var type = (TagDataType)tags[position++];
            ulong length = Read(tags, ref position);
            if (length > (ulong)(tags.Length - position))
            {
                throw new StoredFormatException($"damaged tag table of device '{deviceId}': tag {i} runs past the end");
            }

            entries[i] = new TagTableEntry(Encoding.UTF8.GetString(tags.Slice(position, (int)length)), type);
            position += (int)length;
        }

        if (position != tags.Length)
        {
            throw new StoredFormatException($"damaged tag table of device '{deviceId}': {tags.Length - position} bytes after the last tag");
        }

        return new TagTable(deviceId, entries);
    }

    private static ulong Read(ReadOnlySpan<byte> source, ref int position) =>
        VarInt.TryRead(source, ref position, out ulong value) ? value : throw new StoredFormatException("damaged tag table: truncated number");
}
