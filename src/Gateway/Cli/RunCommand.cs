using Microsoft.Extensions.Hosting;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary><c>smartcity-edge run [--config FILE]</c>: validates, then runs the gateway until SIGTERM / Ctrl-C.</summary>
internal sealed class RunCommand : ICliCommand
{
    public string Name => "run";

    public string Usage => "run [--config FILE]        run the gateway (without --config: the embedded demo park)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ConfigurationLoadResult result = ConfigArguments.Load(args);
        if (result.Configuration is not { } configuration)
        {
            ConfigArguments.PrintProblems(result.Problems, Console.Error);
            return 1;
        }

        using IHost host = GatewayHost.Build(configuration);
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return Environment.ExitCode;
    }
}
