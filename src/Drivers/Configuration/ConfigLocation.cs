namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>A place in a configuration file, 1-based as editors show it.</summary>
public readonly record struct ConfigLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
