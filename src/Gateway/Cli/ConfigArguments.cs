using System.Reflection;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>Reads <c>--config FILE</c>; without it, the demo configuration embedded in the binary.</summary>
internal static class ConfigArguments
{
    public const string EmbeddedDemoName = "(embedded demo.yaml)";

    public static ConfigurationLoadResult Load(string[] args)
    {
        var loader = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories());
        string? path = Option(args, "--config");
        if (path is not null)
        {
            return loader.LoadFile(path);
        }

        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("demo.yaml")
            ?? throw new InvalidOperationException("The demo configuration is missing from this build.");
        using var reader = new StreamReader(stream);
        return loader.Load(reader.ReadToEnd(), EmbeddedDemoName, Directory.GetCurrentDirectory());
    }

    public static string? Option(string[] args, string name)
    {
        int index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    public static void PrintProblems(ConfigProblems problems, TextWriter writer)
    {
        foreach (ConfigProblem problem in problems.Ordered())
        {
            writer.WriteLine(problem.ToString());
        }

        writer.WriteLine($"{problems.All.Count} problem{(problems.All.Count == 1 ? string.Empty : "s")} found; nothing was started.");
    }
}
