using System.Collections.Concurrent;
using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Frames for the drivers to fill: rented by a device's sink, returned by the processing stage once it is done with
/// them. Steady state allocates nothing; a frame that is never returned (a driver that gave up on it) is just garbage.
/// </summary>
internal sealed class ReadingFramePool
{
    /// <summary>More idle frames than this are dropped on return: frames in flight are bounded by the channel anyway.</summary>
    public const int MaxIdle = 64;

    private readonly ConcurrentQueue<ReadingFrame> _idle = new();
    private int _idleCount;

    public ReadingFrame Rent()
    {
        if (_idle.TryDequeue(out ReadingFrame? frame))
        {
            Interlocked.Decrement(ref _idleCount);
            return frame;
        }

        return new ReadingFrame();
    }

    public void Return(ReadingFrame frame)
    {
        frame.Clear();
        if (Interlocked.Increment(ref _idleCount) <= MaxIdle)
        {
            _idle.Enqueue(frame);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }
}
