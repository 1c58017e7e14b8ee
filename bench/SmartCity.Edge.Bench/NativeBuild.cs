using System.Diagnostics;

namespace SmartCity.Edge.Bench;

/// <summary>The native AOT gateway as deploy/publish.sh and tests/run.sh build it, published from this checkout.</summary>
internal static class NativeBuild
{
    /// <summary>Publishes src/Gateway for this machine's runtime into <paramref name="output"/>; returns the binary.</summary>
    public static async Task<string> PublishAsync(string benchmark, string output, CancellationToken cancellationToken)
    {
        string rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        string project = Path.Combine(BenchEnvironment.RepositoryRoot, "src", "Gateway", "SmartCity.Edge.Gateway.csproj");
        Console.WriteLine($"{benchmark}: publishing the native AOT build for {rid}");
        var info = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-r", rid, "-p:PublishAot=true", "-p:InvariantGlobalization=true", "-o", output, "--nologo", "-v", "q"]);
        using Process publish = Process.Start(info) ?? throw new InvalidOperationException("dotnet publish did not start");
        await publish.WaitForExitAsync(cancellationToken);
        string binary = Path.Combine(output, "smartcity-edge");
        if (publish.ExitCode != 0 || !File.Exists(binary))
        {
            throw new InvalidOperationException($"the native AOT publish failed (exit {publish.ExitCode}); pass --native PATH to measure an existing build");
        }

        return binary;
    }
}
