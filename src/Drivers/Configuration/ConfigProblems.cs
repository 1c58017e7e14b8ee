namespace SmartCity.Edge.Drivers.Configuration;

/// <summary>Collects every problem of one configuration load, so a technician sees them all at once.</summary>
public sealed class ConfigProblems
{
    private readonly List<ConfigProblem> _problems = [];

    public IReadOnlyList<ConfigProblem> All => _problems;

    public bool HasAny => _problems.Count > 0;

    public void Add(ConfigLocation location, string path, string message) =>
        _problems.Add(new ConfigProblem(location, path, message));

    /// <summary>Problems in file order, for printing.</summary>
    public IEnumerable<ConfigProblem> Ordered() =>
        _problems.OrderBy(p => p.Location.Line).ThenBy(p => p.Location.Column);
}
