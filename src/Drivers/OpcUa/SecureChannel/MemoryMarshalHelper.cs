using System.Runtime.InteropServices;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>The transport hands out its own receive buffer read-only; the channel decrypts in place in it.</summary>
internal static class MemoryMarshalHelper
{
    public static Span<byte> AsWritable(ReadOnlyMemory<byte> memory) => MemoryMarshal.AsMemory(memory).Span;
}
