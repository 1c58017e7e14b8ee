using System.Diagnostics;
using SmartCity.Edge.Gateway.Tests.Cli;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>Tahu's JavaScript codec (npm sparkplug-payload) run by node: decodes our bytes, encodes golden vectors for our reader.</summary>
internal static class SparkplugJsCodec
{
    /// <summary>Each payload decoded by sparkplug-payload, as one JSON line (decoded, raw fields and field presence).</summary>
    public static Task<string[]> DecodeAsync(params byte[][] payloads) => RunAsync("decode.js", payloads.Select(Convert.ToHexString));

    /// <summary>Each JSON payload object encoded by sparkplug-payload.</summary>
    public static async Task<byte[][]> EncodeAsync(params string[] payloads)
    {
        string[] lines = await RunAsync("encode.js", payloads);
        return lines.Select(l => l.StartsWith("ERROR", StringComparison.Ordinal) ? throw new InvalidOperationException(l) : Convert.FromHexString(l)).ToArray();
    }

    private static async Task<string[]> RunAsync(string script, IEnumerable<string> input)
    {
        var info = new ProcessStartInfo("node", [Path.Combine(PeerProcess.PeersDirectory, "sparkplug", script)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        Task<string> error = process.StandardError.ReadToEndAsync();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        foreach (string line in input)
        {
            await process.StandardInput.WriteLineAsync(line);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Short);
        Assert.True(process.ExitCode == 0, $"node {script} failed: {await error}");
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
