using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary><c>smartcity-edge validate --config FILE</c>: checks a configuration without touching any device.</summary>
internal sealed class ValidateCommand : ICliCommand
{
    public string Name => "validate";

    public string Usage => "validate [--config FILE]   check a configuration file; exit 0 with a summary (counts, upstream, topics), or 1 listing every problem";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ConfigurationLoadResult result = ConfigArguments.Load(args);
        if (result.Configuration is not { } configuration)
        {
            ConfigArguments.PrintProblems(result.Problems, Console.Error);
            return Task.FromResult(1);
        }

        Console.WriteLine($"{configuration.SourceFile}: OK — {ConfigurationSummary.Overview(configuration)}");
        Console.WriteLine("  " + ConfigurationSummary.Topics(configuration));
        Console.WriteLine("  " + ConfigurationSummary.Commands(configuration));
        return Task.FromResult(0);
    }
}
