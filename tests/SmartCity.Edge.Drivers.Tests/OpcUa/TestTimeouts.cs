namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Generous timeouts that only bite when something is broken (runtime TestHelper.PassingTestTimeout).</summary>
internal static class TestTimeouts
{
    public static readonly TimeSpan Passing = TimeSpan.FromSeconds(30);

    public static CancellationToken Token() => new CancellationTokenSource(Passing).Token;

    /// <summary>Waits until <paramref name="signal"/> fires (e.g. a channel's Closed token); fails after <see cref="Passing"/>.</summary>
    public static async Task UntilCancelledAsync(CancellationToken signal, string what)
    {
        try
        {
            await Task.Delay(Passing, signal);
        }
        catch (OperationCanceledException) when (signal.IsCancellationRequested)
        {
            return;
        }

        throw new TimeoutException(what);
    }
}
