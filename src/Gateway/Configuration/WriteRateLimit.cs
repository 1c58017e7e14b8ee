using System.Globalization;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary><c>rate_limit: COUNT/PERIOD</c>: at most <paramref name="Count"/> writes to the tag in any <paramref name="Period"/>.</summary>
public sealed record WriteRateLimit(int Count, TimeSpan Period)
{
    /// <summary>As a technician writes it: <c>1/10s</c>, <c>5/1m</c>, <c>1/1h</c>.</summary>
    public string PeriodText => Period >= TimeSpan.FromHours(1) && Period.Ticks % TimeSpan.TicksPerHour == 0
        ? Period.TotalHours.ToString(CultureInfo.InvariantCulture) + "h"
        : DurationParser.Format(Period);

    public override string ToString() => $"{Count}/{PeriodText}";
}
