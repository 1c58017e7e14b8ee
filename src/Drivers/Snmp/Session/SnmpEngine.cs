namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// What a non-authoritative engine keeps about an authoritative one (RFC 3414 §2.3): its engine ID, snmpEngineBoots,
/// the latest snmpEngineTime received and when (local monotonic clock), from which the time to send is estimated.
/// Updated only from authenticated messages (RFC 3414 §3.2 step 7b), or from a discovery Report.
/// </summary>
internal sealed class SnmpEngine
{
    /// <summary>RFC 3414 §2.2.3: 150 seconds either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(150);

    private readonly TimeProvider _time;
    private long _receivedAt;

    public SnmpEngine(byte[] engineId, int boots, int engineTime, TimeProvider time)
    {
        _time = time;
        EngineId = engineId;
        Boots = boots;
        LatestTime = engineTime;
        _receivedAt = time.GetTimestamp();
    }

    public byte[] EngineId { get; }

    public int Boots { get; private set; }

    public int LatestTime { get; private set; }

    /// <summary>The agent's engine time now, as estimated from the latest value and the local time since.</summary>
    public int EstimatedTime
    {
        get
        {
            double elapsed = _time.GetElapsedTime(_receivedAt).TotalSeconds;
            return (int)Math.Min(int.MaxValue, LatestTime + elapsed);
        }
    }

    /// <summary>Takes the values of an authenticated message (RFC 3414 §3.2 step 7b): newer boots, or same boots and later time.</summary>
    public void Observe(int boots, int engineTime)
    {
        if (boots > Boots || (boots == Boots && engineTime > LatestTime))
        {
            Boots = boots;
            LatestTime = engineTime;
            _receivedAt = _time.GetTimestamp();
        }
    }

    /// <summary>An authenticated NotInTimeWindows Report carries the truth (e.g. the agent restarted with boots 1): adopt it.</summary>
    public void Resynchronize(int boots, int engineTime)
    {
        Boots = boots;
        LatestTime = engineTime;
        _receivedAt = _time.GetTimestamp();
    }

    /// <summary>RFC 3414 §3.2 step 7b: an authenticated message from an older boot, or more than 150 s behind, is outside the window.</summary>
    public bool IsOutsideWindow(int boots, int engineTime) =>
        boots < Boots || (boots == Boots && engineTime < LatestTime - (int)Window.TotalSeconds) || Boots == int.MaxValue;
}
