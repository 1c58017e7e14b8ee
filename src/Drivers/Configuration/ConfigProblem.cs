namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>One thing wrong with a configuration file, printed as <c>file:line:col key.path: message</c>.</summary>
public sealed record ConfigProblem(ConfigLocation Location, string Path, string Message)
{
    public override string ToString() =>
        Path.Length == 0 ? $"{Location} {Message}" : $"{Location} {Path}: {Message}";
}
