using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Commands;

/// <summary>
/// <c>rate_limit: COUNT/PERIOD</c> per tag, as a sliding window over the writes sent to the device (a refused write
/// costs nothing). In memory: a restart starts every window afresh. Bounded by the writable tags with a limit, each
/// keeping at most COUNT times.
/// </summary>
internal sealed class WriteRateLimiter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _sent = new(StringComparer.Ordinal);

    /// <summary>True when a write to <paramref name="target"/> may go now; else <paramref name="retryAfter"/> says when the next may.</summary>
    public bool CanWrite(string target, WriteRateLimit limit, DateTimeOffset now, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            retryAfter = TimeSpan.Zero;
            if (!_sent.TryGetValue(target, out Queue<DateTimeOffset>? times))
            {
                return true;
            }

            Forget(times, limit, now);
            if (times.Count < limit.Count)
            {
                return true;
            }

            retryAfter = times.Peek() + limit.Period - now;
            return false;
        }
    }

    /// <summary>Counts a write sent to <paramref name="target"/> at <paramref name="now"/>.</summary>
    public void Record(string target, WriteRateLimit limit, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_sent.TryGetValue(target, out Queue<DateTimeOffset>? times))
            {
                _sent[target] = times = new Queue<DateTimeOffset>();
            }

            Forget(times, limit, now);
            times.Enqueue(now);
            while (times.Count > limit.Count)
            {
                times.Dequeue(); // a reload lowered the count
            }
        }
    }

    private static void Forget(Queue<DateTimeOffset> times, WriteRateLimit limit, DateTimeOffset now)
    {
        while (times.Count > 0 && times.Peek() + limit.Period <= now)
        {
            times.Dequeue();
        }
    }
}
