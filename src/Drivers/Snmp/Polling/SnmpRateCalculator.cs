namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// A counter's per-second rate between two polls (snmp-notes §6.9): delta = (current − previous) mod 2^32 for Counter32
/// and mod 2^64 for Counter64, so one wrap between polls is right (a 1 Gb/s Counter32 wraps in ~34 s: poll faster, or
/// use Counter64). Timed with the local monotonic clock, as some agents freeze sysUpTime (snmpsim). The first sample,
/// a type change and a clock that did not advance give no rate.
/// </summary>
internal sealed class SnmpRateCalculator
{
    private SnmpType _type;
    private ulong _previous;
    private long _previousTimestamp;
    private bool _hasPrevious;

    /// <summary>The rate, or null with a reason (first sample, not a counter).</summary>
    public double? Next(SnmpValue value, long timestamp, TimeProvider time, out string? reason)
    {
        reason = null;
        if (value.Type is not (SnmpType.Counter32 or SnmpType.Counter64))
        {
            _hasPrevious = false;
            reason = $"rate: needs a Counter32 or Counter64, the agent sent {value.TypeName}";
            return null;
        }

        ulong current = value.AsUInt64();
        bool usable = _hasPrevious && _type == value.Type;
        ulong previous = _previous;
        long previousTimestamp = _previousTimestamp;
        _type = value.Type;
        _previous = current;
        _previousTimestamp = timestamp;
        _hasPrevious = true;
        if (!usable)
        {
            reason = "rate: waiting for a second sample";
            return null;
        }

        double seconds = time.GetElapsedTime(previousTimestamp, timestamp).TotalSeconds;
        if (seconds <= 0)
        {
            reason = "rate: no time between samples";
            return null;
        }

        ulong delta = value.Type == SnmpType.Counter32 ? (uint)((uint)current - (uint)previous) : unchecked(current - previous);
        return delta / seconds;
    }
}
