namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Shared by every section of one configuration load: the file name, the problem list and the environment.</summary>
public sealed class ConfigContext
{
    public ConfigContext(string file, Func<string, string?> environment)
    {
        File = file;
        Environment = environment;
    }

    public string File { get; }

    public ConfigProblems Problems { get; } = new();

    /// <summary>Looks up <c>${NAME}</c> substitutions. The process environment in production; a dictionary in tests.</summary>
    public Func<string, string?> Environment { get; }
}
