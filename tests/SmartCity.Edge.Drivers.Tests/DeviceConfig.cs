using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.Tests;

/// <summary>
/// Reads one device of a YAML file the way the gateway does: the common keys (id, driver, poll_interval, tags with id,
/// unit, deadband) here, the driver's own keys by its factory, then unknown keys flagged.
/// </summary>
internal static class DeviceConfig
{
    public static (DeviceDescriptor Device, DriverSettings? Settings, IReadOnlyList<ConfigProblem> Problems) Read(string yaml, IDriverFactory factory, string file = "smartcity-edge.yaml")
    {
        var context = new ConfigContext(file, _ => null);
        ConfigSection root = ConfigDocument.Parse(yaml, context) ?? throw new InvalidOperationException(string.Join("\n", context.Problems.All));
        ConfigSection deviceSection = root.GetSectionList("devices", required: true).Single();
        string id = deviceSection.GetRequiredString("id");
        string driver = deviceSection.GetRequiredString("driver");
        TimeSpan pollInterval = deviceSection.GetDuration("poll_interval", TimeSpan.FromSeconds(1));
        IReadOnlyList<ConfigSection> tagSections = deviceSection.GetSectionList("tags", required: true);
        var tags = tagSections.Select(t =>
        {
            t.Accept("deadband");
            return new TagDescriptor(t.GetRequiredString("id"), t.GetString("unit"));
        }).ToList();
        // The driver named in the file when the factory has it (modbus-tcp, modbus-rtu, …: the link follows it).
        var device = new DeviceDescriptor(id, factory.DriverNames.Contains(driver) ? driver : factory.DriverNames[0], pollInterval, tags);
        DriverSettings settings = factory.ReadSettings(device, deviceSection, tagSections);
        deviceSection.ReportUnknownKeys();
        foreach (ConfigSection tag in tagSections)
        {
            tag.ReportUnknownKeys();
        }

        return (device, context.Problems.HasAny ? null : settings, context.Problems.Ordered().ToList());
    }

    /// <summary>
    /// Reads <c>testcases/&lt;case&gt;/device.yaml</c> next to a test source file and returns the problems as printed,
    /// or <c>["ok"]</c>, to compare with that case's <c>expected.txt</c>.
    /// </summary>
    public static (string[] Expected, string[] Actual) RunCase(string sourceDirectory, string name, IDriverFactory factory)
    {
        string folder = Path.Combine(sourceDirectory, "testcases", name);
        string[] expected = File.ReadAllLines(Path.Combine(folder, "expected.txt"));
        var (_, _, problems) = Read(File.ReadAllText(Path.Combine(folder, "device.yaml")), factory, "device.yaml");
        string[] actual = problems.Count == 0 ? ["ok"] : [.. problems.Select(p => p.ToString())];
        return (expected, actual);
    }

    /// <summary>The config-case folders next to a test source file: <c>testcases/&lt;case&gt;/device.yaml</c> and <c>expected.txt</c>.</summary>
    public static IEnumerable<object[]> Cases(string sourceDirectory) =>
        Directory.GetDirectories(Path.Combine(sourceDirectory, "testcases"))
            .Order(StringComparer.Ordinal)
            .Select(d => new object[] { Path.GetFileName(d) });
}
