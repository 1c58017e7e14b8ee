namespace SmartCity.Edge.Bench.EndToEnd;

/// <summary>
/// One system's counters, updated by the subscriber and read by the benchmark at the window's ends. The latency
/// histogram has 1 ms buckets up to 60 s.
/// </summary>
internal sealed class SystemTally
{
    private const int Buckets = 60_001;
    private readonly long[] _latency = new long[Buckets];
    private long _points;
    private long _messages;
    private long _mqttBytes;
    private readonly Dictionary<string, long> _lastSeqByTopic = new(StringComparer.Ordinal);
    private long _seqBackwards;
    private long _malformed;
    private int _forgetSequence;

    public long Points => Interlocked.Read(ref _points);

    /// <summary>A new instance of the system starts (a fresh data_dir numbers from 1 again): forget its last seqs.</summary>
    public void ForgetSequence() => Volatile.Write(ref _forgetSequence, 1);

    public void Add(string topic, int points, long mqttBytes, double latencyMs, long lastSeq)
    {
        Interlocked.Add(ref _points, points);
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _mqttBytes, mqttBytes);
        if (latencyMs >= 0)
        {
            Interlocked.Increment(ref _latency[Math.Min((int)latencyMs, Buckets - 1)]);
        }

        // Only the subscriber's one thread touches the last seq per topic. Readings are in seq order per device
        // (docs/upstream.md), not across devices: a seq not above its device's last one is a redelivery.
        if (Interlocked.Exchange(ref _forgetSequence, 0) == 1)
        {
            _lastSeqByTopic.Clear();
        }

        if (lastSeq >= 0)
        {
            if (_lastSeqByTopic.TryGetValue(topic, out long previous) && lastSeq <= previous)
            {
                Interlocked.Increment(ref _seqBackwards);
            }

            _lastSeqByTopic[topic] = lastSeq;
        }
    }

    /// <summary>A telemetry message that was not the upstream JSON (docs/upstream.md).</summary>
    public void AddMalformed() => Interlocked.Increment(ref _malformed);

    public TallySnapshot Snapshot() => new(
        Interlocked.Read(ref _points), Interlocked.Read(ref _messages), Interlocked.Read(ref _mqttBytes), Interlocked.Read(ref _seqBackwards),
        Interlocked.Read(ref _malformed), _latency.ToArray());
}
