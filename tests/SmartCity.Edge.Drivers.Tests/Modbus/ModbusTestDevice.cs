using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Modbus;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>Reads a device mapping the way the gateway will: common keys here, the driver's keys through the factory.</summary>
internal static class ModbusTestDevice
{
    public static (DeviceDescriptor Device, ModbusDeviceSettings Settings) Read(ModbusDriverFactory factory, string yaml)
    {
        (DeviceDescriptor device, DriverSettings? settings, ConfigProblems problems) = TryRead(factory, yaml);
        if (problems.HasAny)
        {
            throw new InvalidOperationException("config problems: " + string.Join("; ", problems.All.Select(p => $"{p.Path}: {p.Message}")));
        }

        return (device, (ModbusDeviceSettings)settings!);
    }

    public static (DeviceDescriptor Device, DriverSettings? Settings, ConfigProblems Problems) TryRead(ModbusDriverFactory factory, string yaml)
    {
        var context = new ConfigContext("test.yaml", _ => null);
        ConfigSection root = ConfigDocument.Parse(yaml, context) ?? throw new InvalidOperationException("bad yaml");
        string id = root.GetString("id", "dev") ?? "dev";
        string driver = root.GetRequiredString("driver");
        root.Accept("poll_interval");
        IReadOnlyList<ConfigSection> tagSections = root.GetSectionList("tags");
        var tags = new List<TagDescriptor>();
        foreach (ConfigSection tag in tagSections)
        {
            tags.Add(new TagDescriptor(tag.GetRequiredString("id"), tag.GetString("unit")));
        }

        var device = new DeviceDescriptor(id, driver, TimeSpan.FromSeconds(1), tags);
        DriverSettings settings = factory.ReadSettings(device, root, tagSections);
        root.ReportUnknownKeys();
        foreach (ConfigSection tag in tagSections)
        {
            tag.ReportUnknownKeys();
        }

        return (device, settings, context.Problems);
    }
}
