namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>Exponential backoff with ±20 % jitter, so gateways that lost the same device do not retry in lockstep.</summary>
internal sealed class Backoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _maximum;
    private readonly Random _random;
    private TimeSpan _next;

    public Backoff(TimeSpan initial, TimeSpan maximum, Random random)
    {
        _initial = initial;
        _maximum = maximum;
        _random = random;
        _next = initial;
    }

    public TimeSpan Next()
    {
        TimeSpan current = _next;
        _next = TimeSpan.FromTicks(Math.Min(_maximum.Ticks, current.Ticks * 2));
        double jitter = 0.8 + (_random.NextDouble() * 0.4);
        return TimeSpan.FromTicks((long)(current.Ticks * jitter));
    }

    public void Reset() => _next = _initial;
}
