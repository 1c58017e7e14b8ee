namespace SmartCity.Edge.Gateway.Configuration;

/// <summary><c>rate_limit: COUNT/PERIOD</c>: at most <paramref name="Count"/> writes to the tag in any <paramref name="Period"/>.</summary>
public sealed record WriteRateLimit(int Count, TimeSpan Period)
{
    public override string ToString() => $"{Count}/{Drivers.Configuration.DurationParser.Format(Period)}";
}
