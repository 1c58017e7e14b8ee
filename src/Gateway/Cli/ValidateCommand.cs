using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary><c>smartcity-edge validate --config FILE</c>: checks a configuration without touching any device.</summary>
internal sealed class ValidateCommand : ICliCommand
{
    public string Name => "validate";

    public string Usage => "validate [--config FILE]   check a configuration file; exit 0 with a summary, or 1 listing every problem";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ConfigurationLoadResult result = ConfigArguments.Load(args);
        if (result.Configuration is not { } configuration)
        {
            ConfigArguments.PrintProblems(result.Problems, Console.Error);
            return Task.FromResult(1);
        }

        int tags = configuration.Devices.Sum(d => d.Tags.Count);
        string upstream = configuration.Upstream.Mqtt is { } mqtt ? mqtt.ToString() : "console only";
        Console.WriteLine($"{configuration.SourceFile}: OK — gateway {configuration.Gateway.Id}, {configuration.Devices.Count} devices, {tags} tags, {configuration.Alarms.Count} alarms, upstream {upstream}");
        return Task.FromResult(0);
    }
}
