using System.Buffers;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// Where an encoder writes the payloads of one batch of messages: large reused chunks, each payload contiguous in
/// one of them, so encoding a batch allocates nothing once warm. <see cref="Reset"/> after the batch is published
/// (every payload handed out before is invalid then). Not thread-safe.
/// </summary>
internal sealed class MessageArena : IBufferWriter<byte>
{
    private const int ChunkSize = 256 * 1024;

    /// <summary>Chunks kept across batches; a batch that needed more gives the extra back at <see cref="Reset"/>.</summary>
    private const int RetainedChunks = 4;

    private readonly List<byte[]> _chunks = [];
    private int _chunk = -1;
    private int _position;
    private int _messageStart;

    /// <summary>Starts a payload: everything written until <see cref="EndMessage"/> belongs to it.</summary>
    public void BeginMessage()
    {
        if (_chunk < 0)
        {
            NextChunk(0, 0);
        }

        _messageStart = _position;
    }

    /// <summary>The payload written since <see cref="BeginMessage"/>.</summary>
    public ReadOnlyMemory<byte> EndMessage()
    {
        var payload = new ReadOnlyMemory<byte>(_chunks[_chunk], _messageStart, _position - _messageStart);
        _messageStart = _position;
        return payload;
    }

    /// <summary>Bytes of the payload written so far.</summary>
    public int MessageLength => _position - _messageStart;

    /// <summary>Gives up the current payload (written since <see cref="BeginMessage"/>).</summary>
    public void DiscardMessage() => _position = _messageStart;

    public void Reset()
    {
        for (int i = _chunks.Count - 1; i >= RetainedChunks; i--)
        {
            ArrayPool<byte>.Shared.Return(_chunks[i]);
            _chunks.RemoveAt(i);
        }

        _chunk = _chunks.Count > 0 ? 0 : -1;
        _position = 0;
        _messageStart = 0;
    }

    public void Advance(int count) => _position += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureRoom(Math.Max(sizeHint, 1));
        return _chunks[_chunk].AsMemory(_position);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureRoom(Math.Max(sizeHint, 1));
        return _chunks[_chunk].AsSpan(_position);
    }

    private void EnsureRoom(int size)
    {
        if (_chunk < 0)
        {
            NextChunk(0, size);
        }
        else if (_chunks[_chunk].Length - _position < size)
        {
            // The payload so far moves along: a payload is always one contiguous span.
            NextChunk(_position - _messageStart, size);
        }
    }

    private void NextChunk(int carry, int size)
    {
        int needed = carry + size;
        int next = _chunk + 1;
        byte[] chunk;
        if (next < _chunks.Count && _chunks[next].Length >= needed)
        {
            chunk = _chunks[next];
        }
        else
        {
            chunk = ArrayPool<byte>.Shared.Rent(Math.Max(ChunkSize, needed * 2));
            if (next < _chunks.Count)
            {
                ArrayPool<byte>.Shared.Return(_chunks[next]);
                _chunks[next] = chunk;
            }
            else
            {
                _chunks.Add(chunk);
            }
        }

        if (carry > 0)
        {
            _chunks[_chunk].AsSpan(_messageStart, carry).CopyTo(chunk);
        }

        _chunk = next;
        _messageStart = 0;
        _position = carry;
    }
}
