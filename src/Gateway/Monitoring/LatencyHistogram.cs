namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>
/// A fixed-bucket latency histogram (Prometheus <c>le</c> buckets, cumulative on export). Lock-free: one writer per
/// device supervisor, any number of readers; a reader may see a sum a moment ahead of a count, which Prometheus tolerates.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Upper bounds in seconds: 1 ms to 10 s covers a local simulator up to a slow serial line with retries.</summary>
    public static readonly double[] BucketBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly long[] _buckets = new long[BucketBounds.Length + 1];
    private long _count;
    private long _sumMicroseconds;

    public void Observe(TimeSpan elapsed)
    {
        double seconds = elapsed.TotalSeconds;
        int index = 0;
        while (index < BucketBounds.Length && seconds > BucketBounds[index])
        {
            index++;
        }

        Interlocked.Increment(ref _buckets[index]);
        Interlocked.Add(ref _sumMicroseconds, (long)(elapsed.Ticks / 10));
        Interlocked.Increment(ref _count);
    }

    public long Count => Interlocked.Read(ref _count);

    public double SumSeconds => Interlocked.Read(ref _sumMicroseconds) / 1_000_000.0;

    /// <summary>Cumulative counts per bound (the last entry is <c>+Inf</c>).</summary>
    public long[] CumulativeCounts()
    {
        long[] result = new long[_buckets.Length];
        long running = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            running += Interlocked.Read(ref _buckets[i]);
            result[i] = running;
        }

        return result;
    }
}
