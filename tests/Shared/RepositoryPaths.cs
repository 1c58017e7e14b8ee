namespace SmartCity.Edge.Tests;

/// <summary>Folders of the repository, found from a test's build output. Linked into both test projects (tests/Shared).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>tests/peers: the real peers' scripts and sources, installed by tests/peers/install.sh.</summary>
    public static string Peers => Path.Combine(Root, "tests", "peers");

    public static string ModbusPeers => Path.Combine(Peers, "modbus");

    private static string FindRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "SmartCity.Edge.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("SmartCity.Edge.sln not found above " + AppContext.BaseDirectory);
    }
}
