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

        // Reading a large configuration leaves tens of MB of parser garbage behind (YAML nodes with their positions:
        // ~45 MB allocated for 10,000 tags). Give it back before the pipeline starts, so that it does not add to the
        // gateway's peak memory; a loaded configuration itself takes a few hundred bytes a tag.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using IHost host = GatewayHost.Build(configuration);
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return Environment.ExitCode;
    }
}
