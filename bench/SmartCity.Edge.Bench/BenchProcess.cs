using System.Diagnostics;

namespace SmartCity.Edge.Bench;

/// <summary>Runs a helper command (make, npm, dotnet publish, kill) to its end, failing loudly with its output.</summary>
internal static class BenchProcess
{
    public static async Task<string> RunToEndAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        string stdout = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} failed (exit {process.ExitCode}):\n{stdout}{await stderr}");
    }
}
