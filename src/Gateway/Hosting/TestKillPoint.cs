using System.Diagnostics;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>
/// TEST ONLY: named points on the alarm path where the process kills itself with SIGKILL, so tests can crash the
/// real binary exactly between two steps (docs/reliability.md). Inert unless the environment variable
/// <see cref="EnvironmentVariable"/> names a point when the process starts: then the first time that point is reached
/// the process prints one line to stderr and is killed as by <c>kill -9</c> (no shutdown, no flush). Never set it in
/// production.
/// </summary>
internal static class TestKillPoint
{
    public const string EnvironmentVariable = "SMARTCITY_EDGE_TEST_KILL_AT";

    /// <summary>A transition's record, alarm state and webhook outbox rows are written, the transaction not yet committed.</summary>
    public const string TransitionBeforeCommit = "transition-before-commit";

    /// <summary>The transaction holding a transition is committed; nothing was sent yet (webhook, local actions).</summary>
    public const string TransitionAfterCommit = "transition-after-commit";

    /// <summary>A webhook receiver answered 2xx; the delivery is still in the outbox.</summary>
    public const string WebhookAfterSend = "webhook-after-send";

    /// <summary>The device answered an operator's write; its outcome is not yet in the audit trail.</summary>
    public const string WriteAfterDevice = "write-after-device";

    // Read once at start: a constant for the life of the process, not mutable state.
    private static readonly string? s_armed = Environment.GetEnvironmentVariable(EnvironmentVariable);

    public static void Reach(string point)
    {
        if (s_armed is null || !string.Equals(s_armed, point, StringComparison.Ordinal))
        {
            return;
        }

        Console.Error.WriteLine($"{EnvironmentVariable}: kill point {point} reached, SIGKILL");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite); // the signal is on its way; nothing else runs on this thread
    }
}
