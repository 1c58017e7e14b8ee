namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Generous timeouts that only bite when something is broken (runtime TestHelper.PassingTestTimeout).</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Passing = TimeSpan.FromSeconds(30);

    public static CancellationToken Token() => new CancellationTokenSource(Passing).Token;
}
