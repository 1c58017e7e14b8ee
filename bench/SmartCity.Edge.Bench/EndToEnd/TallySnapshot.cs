namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>A <see cref="SystemTally"/> at one instant; a window's figures are the difference of two.</summary>
internal sealed record TallySnapshot(long Points, long Messages, long MqttBytes, long SeqBackwards, long Malformed, long[] Latency)
{
    public TallySnapshot Minus(TallySnapshot earlier) => new(
        Points - earlier.Points, Messages - earlier.Messages, MqttBytes - earlier.MqttBytes, SeqBackwards - earlier.SeqBackwards,
        Malformed - earlier.Malformed, Latency.Zip(earlier.Latency, (a, b) => a - b).ToArray());

    /// <summary>Latency percentile in ms (upper edge of its 1 ms bucket), NaN without samples.</summary>
    public double LatencyPercentile(double p)
    {
        long total = Latency.Sum();
        if (total == 0)
        {
            return double.NaN;
        }

        long rank = (long)Math.Ceiling(p * total);
        long seen = 0;
        for (int i = 0; i < Latency.Length; i++)
        {
            seen += Latency[i];
            if (seen >= rank)
            {
                return i + 1;
            }
        }

        return Latency.Length;
    }
}
