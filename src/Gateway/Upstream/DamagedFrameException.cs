using SmartCity.Edge.Gateway.Buffer;

namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>An encoder met a buffered frame whose body cannot be decoded (a damaged file): it cannot be sent.</summary>
internal sealed class DamagedFrameException(BufferedFrame frame, Exception innerException)
    : Exception($"frame seq {frame.FirstSeq}–{frame.LastSeq} of device '{frame.Table.DeviceId}' is damaged: {innerException.Message}", innerException)
{
    public BufferedFrame Frame { get; } = frame;
}
