namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Reloading a running gateway as <c>systemctl reload</c> or a technician's editor would. A SIGHUP that arrives during
/// start-up is dropped on purpose (Hosting/StopSignals), and a file written before the watcher exists is never seen:
/// so a reload is triggered only after the gateway logged that it takes reloads, and its outcome waited for with the
/// long timeout (the reload starts and stops devices and may reconnect upstream).
/// </summary>
internal static class GatewayReload
{
    /// <summary>The line <c>ConfigReloadService</c> logs once its SIGHUP handler and file watcher are in place.</summary>
    public const string ReadyLine = "Configuration reload ready";

    /// <summary>The line a reload that was applied ends with.</summary>
    public const string ReloadedLine = "Configuration reloaded";

    /// <summary>Completes once SIGHUP and a change of the file are acted on.</summary>
    public static Task WaitUntilReloadReadyAsync(this GatewayProcess gateway) => gateway.WaitForLogAsync(ReadyLine, TestTimeouts.Long);

    /// <summary>
    /// Sends SIGHUP once the gateway takes reloads, and waits for <paramref name="count"/> log lines containing
    /// <paramref name="outcome"/> (the file watcher may see the same write and reload first).
    /// </summary>
    public static async Task SighupAsync(this GatewayProcess gateway, string outcome = ReloadedLine, int count = 1)
    {
        await gateway.WaitUntilReloadReadyAsync();
        gateway.Signal(Posix.SigHup);
        await gateway.WaitForLogCountAsync(outcome, count, TestTimeouts.Long);
    }
}
