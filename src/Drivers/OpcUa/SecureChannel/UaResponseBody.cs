using System.Buffers;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A reassembled response body in an array rented from <see cref="ArrayPool{T}.Shared"/>: the receive loop hands it
/// to the waiting caller, which decodes it and then calls <see cref="Return"/> exactly once. Decoders copy out
/// whatever they keep (strings, byte strings), so nothing refers to the array after the decode.
/// </summary>
internal readonly struct UaResponseBody
{
    private readonly byte[] _array;
    private readonly int _length;

    public UaResponseBody(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, _length);

    public void Return()
    {
        if (_array is { Length: > 0 })
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
    }
}
