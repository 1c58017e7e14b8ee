namespace SmartCity.Edge.Drivers.Tests.Modbus.Peers;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ModbusPeers => Path.Combine(Root, "tests", "peers", "modbus");

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
