namespace SmartCity.Edge.Tests;

/// <summary>
/// The one place for the bounds tests wait with. Every one of them only bites when something is broken (runtime's
/// PassingTestTimeout idea): a passing test waits for the state it compares — an event, a message, a log line — and
/// never for one of these. They are generous because the test machine is shared and slow under load; a failing test
/// pays them once. Behaviour under test (poll intervals, configured timeouts, an outage's length) is never one of
/// these: those stay at the test that sets them.
/// Linked into both test projects (tests/Shared).
/// </summary>
internal static class TestTimeouts
{
    /// <summary>One local step that takes milliseconds when it works: a reply, a reading, a log line after an action.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(15);

    /// <summary>A state reached through a real peer, a driver session or a reconnect: what most awaits use.</summary>
    public static readonly TimeSpan Passing = TimeSpan.FromSeconds(30);

    /// <summary>A whole scenario step through the gateway process: start-up, backoff and reconnect, a buffer drained upstream.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A peer process reaching ready (its READY line or listening port), or the gateway process reaching its first
    /// lines of start-up. node-opcua creates its PKI on a first start, which took 35 s on the shared 2-core test
    /// machine under load, hence the margin; the runtime's own start-up passed 60 s at a load average of 50–76.
    /// </summary>
    public static readonly TimeSpan PeerStart = TimeSpan.FromSeconds(180);

    /// <summary>A process exiting after it was killed or signalled, or a short command-line tool running to its end.</summary>
    public static readonly TimeSpan ProcessExit = TimeSpan.FromSeconds(60);

    /// <summary>A token cancelled after <see cref="Passing"/>, for APIs that take a CancellationToken.</summary>
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
