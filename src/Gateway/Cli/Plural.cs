using System.Globalization;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>"1 alarm", "2 alarms": counts in the words technicians read (CLI output, the start-up summary).</summary>
internal static class Plural
{
    public static string Of(long count, string noun, string? plural = null) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : plural ?? noun + "s");
}
