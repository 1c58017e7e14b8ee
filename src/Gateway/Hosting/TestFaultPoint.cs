namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// TEST ONLY: named points where the process throws an unexpected exception, so tests can prove that a failure
/// nobody foresaw in one request stays in that request (docs/reliability.md). Inert unless the environment variable
/// <see cref="EnvironmentVariable"/> names a point when the process starts; then every time that point is reached it
/// throws <see cref="InvalidOperationException"/>. Never set it in production.
/// </summary>
internal static class TestFaultPoint
{
    public const string EnvironmentVariable = "SMARTCITY_EDGE_TEST_FAULT_AT";

    /// <summary>A command from the MQTT command topics is about to be verified and executed.</summary>
    public const string CommandExecute = "command-execute";

    /// <summary>A Sparkplug DCMD write is about to be checked and executed.</summary>
    public const string DcmdExecute = "dcmd-execute";

    // Read once at start: a constant for the life of the process, not mutable state.
    private static readonly string? s_armed = Environment.GetEnvironmentVariable(EnvironmentVariable);

    public static void Reach(string point)
    {
        if (s_armed is not null && string.Equals(s_armed, point, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{EnvironmentVariable}: test fault at {point}");
        }
    }
}
