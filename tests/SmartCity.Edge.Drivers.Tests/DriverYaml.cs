using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers.Tests;

/// <summary>Reads one device's YAML through a driver factory exactly as the gateway would (common keys accepted, unknown keys reported).</summary>
internal static class DriverYaml
{
    public static (DeviceDescriptor Device, TSettings? Settings, ConfigProblems Problems) Read<TSettings>(string yaml, IDriverFactory factory, string driver, Func<string, string?> environment)
        where TSettings : DriverSettings
    {
        var context = new ConfigContext("test.yaml", environment);
        ConfigSection root = ConfigDocument.Parse(yaml, context) ?? throw new InvalidOperationException("YAML did not parse");
        root.Accept("id", "driver", "poll_interval");
        IReadOnlyList<ConfigSection> tagSections = root.GetSectionList("tags");
        var tags = new List<TagDescriptor>();
        foreach (ConfigSection tag in tagSections)
        {
            tags.Add(new TagDescriptor(tag.GetRequiredString("id"), null));
            tag.Accept("unit");
        }

        var device = new DeviceDescriptor(root.GetString("id") ?? "dev", driver, TimeSpan.FromSeconds(1), tags);
        var settings = (TSettings)factory.ReadSettings(device, root, tagSections);
        root.ReportUnknownKeys();
        foreach (ConfigSection tag in tagSections)
        {
            tag.ReportUnknownKeys();
        }

        return (device, !context.Problems.HasAny ? settings : null, context.Problems);
    }
}
