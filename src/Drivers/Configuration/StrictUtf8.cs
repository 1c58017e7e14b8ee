using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Unicode;

namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>
/// Decodes UTF-8 refusing invalid bytes, where .NET's readers would silently put U+FFFD in their place (a
/// password or an id changed without a word). A failure says where: byte offset, line and column.
/// </summary>
public static class StrictUtf8
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The text (without a leading byte order mark), or the position of the first invalid byte.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out string? text, out Utf8Error error)
    {
        int start = bytes.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
        ReadOnlySpan<byte> body = bytes[start..];
        char[] chars = ArrayPool<char>.Shared.Rent(body.Length);
        try
        {
            OperationStatus status = Utf8.ToUtf16(body, chars, out int read, out int written, replaceInvalidSequences: false);
            if (status == OperationStatus.Done)
            {
                text = new string(chars, 0, written);
                error = default;
                return true;
            }

            text = null;
            error = Locate(bytes, start + read);
            return false;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static Utf8Error Locate(ReadOnlySpan<byte> bytes, int offset)
    {
        ReadOnlySpan<byte> before = bytes[..offset];
        int lineStart = before.LastIndexOf((byte)'\n') + 1;
        int column = 1;
        foreach (byte b in before[lineStart..])
        {
            if ((b & 0xC0) != 0x80)
            {
                column++; // count characters, not their continuation bytes
            }
        }

        bool utf16 = bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF));
        return new Utf8Error(offset, before.Count((byte)'\n') + 1, column, utf16);
    }
}
