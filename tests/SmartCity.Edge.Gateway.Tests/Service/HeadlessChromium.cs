using System.Diagnostics;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>Debian's <c>chromium</c> in headless mode with a throw-away profile: renders a page, runs its scripts, dumps the DOM or a screenshot.</summary>
internal static class HeadlessChromium
{
    public static async Task<string> DumpDomAsync(string url, string profileDirectory) =>
        await RunAsync(profileDirectory, ["--dump-dom", url]);

    /// <summary>As <see cref="DumpDomAsync(string, string)"/> with extra switches, e.g. <c>--host-resolver-rules</c>.</summary>
    public static async Task<string> DumpDomAsync(string url, string profileDirectory, string[] switches) =>
        await RunAsync(profileDirectory, [.. switches, "--dump-dom", url]);

    public static async Task ScreenshotAsync(string url, string profileDirectory, string pngPath, int width, int height) =>
        await RunAsync(profileDirectory, [$"--screenshot={pngPath}", $"--window-size={width},{height}", "--hide-scrollbars", url]);

    private static async Task<string> RunAsync(string profileDirectory, string[] arguments)
    {
        var info = new ProcessStartInfo("chromium")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in (string[])[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profileDirectory}",
            // Lets the page's timers and its first fetch refresh run before the dump (virtual time, no wall-clock wait).
            "--virtual-time-budget=3000",
            .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TestTimeouts.ProcessExit);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish: {await stderr}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await stderr}");
        }

        return await stdout;
    }
}
