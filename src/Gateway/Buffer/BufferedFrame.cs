using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// A committed frame awaiting delivery: its readings have the consecutive seqs <paramref name="FirstSeq"/> …
/// <see cref="LastSeq"/> (in body order), <paramref name="Table"/> names their tag indexes, <paramref name="Body"/> is
/// in <see cref="Storage.FrameBodyWriter"/>'s format.
/// </summary>
internal readonly record struct BufferedFrame(long FirstSeq, int Count, TagTable Table, ReadOnlyMemory<byte> Body)
{
    public long LastSeq => FirstSeq + Count - 1;
}
