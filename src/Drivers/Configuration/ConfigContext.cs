namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Shared by every section of one configuration load: the file name, the problem list and the environment.</summary>
public sealed class ConfigContext
{
    public ConfigContext(string file, Func<string, string?> environment, string? baseDirectory = null)
    {
        File = file;
        Environment = environment;
        BaseDirectory = baseDirectory ?? Directory.GetCurrentDirectory();
    }

    public string File { get; }

    /// <summary>Where relative paths in the file resolve (<c>${file:secrets/mqtt}</c>): the configuration file's folder.</summary>
    public string BaseDirectory { get; }

    public ConfigProblems Problems { get; } = new();

    /// <summary>Looks up <c>${NAME}</c> substitutions. The process environment in production; a dictionary in tests.</summary>
    public Func<string, string?> Environment { get; }
}
