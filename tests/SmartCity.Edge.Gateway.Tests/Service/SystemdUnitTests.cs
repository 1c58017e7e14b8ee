using System.Diagnostics;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary><c>deploy/systemd/smartcity-edge.service</c> checked by systemd's own verifier.</summary>
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-unit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task UnitFile_SystemdAnalyzeVerify_ReportsNothing()
    {
        string unit = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "systemd", "smartcity-edge.service"));
        Assert.Contains("Type=notify", unit, StringComparison.Ordinal);
        Assert.Contains("WatchdogSec=", unit, StringComparison.Ordinal);

        // verify checks that ExecStart= is executable: point it at the gateway built for these tests.
        string apphost = GatewayProcess.Executable;
        Assert.True(File.Exists(apphost), apphost);
        string path = Path.Combine(_directory, "smartcity-edge.service");
        await File.WriteAllTextAsync(path, unit.Replace("/opt/smartcity-edge/smartcity-edge", apphost, StringComparison.Ordinal));

        (int exitCode, string output) = await VerifyAsync(path);
        Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify: exit {exitCode}\n{output}");

        // The verifier is not blind: a misspelt directive in the same file is reported.
        await File.WriteAllTextAsync(path, unit.Replace("/opt/smartcity-edge/smartcity-edge", apphost, StringComparison.Ordinal).Replace("NoNewPrivileges=", "NoNewPrivilege=", StringComparison.Ordinal));
        (_, string broken) = await VerifyAsync(path);
        Assert.Contains("NoNewPrivilege", broken, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExampleConfig_InstalledByInstallSh_Validates()
    {
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("validate", "--config", Path.Combine(RepositoryRoot(), "deploy", "gateway.example.yaml"));
        Assert.True(exitCode == 0, stderr);
        Assert.Contains("OK — gateway demo-park-01, 5 devices", stdout, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> VerifyAsync(string unitPath)
    {
        var info = new ProcessStartInfo("systemd-analyze", ["verify", unitPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["SYSTEMD_LOG_COLOR"] = "0";
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("systemd-analyze did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        return (process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }

    internal static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SmartCity.Edge.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("repository root not found");
    }
}
