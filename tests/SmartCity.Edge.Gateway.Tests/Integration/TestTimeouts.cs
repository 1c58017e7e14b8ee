namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>Generous bounds that only bite when something is broken (runtime's PassingTestTimeout idea).</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
}
