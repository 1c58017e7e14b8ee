using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>Builds an <c>snmp</c> driver from YAML exactly as the gateway would: factory.ReadSettings then Create.</summary>
internal static class SnmpDriverHarness
{
    public static (DeviceDescriptor Device, SnmpDeviceSettings? Settings, ConfigProblems Problems) Read(string yaml)
    {
        var context = new ConfigContext("test.yaml", _ => null);
        ConfigSection root = ConfigDocument.Parse(yaml, context) ?? throw new InvalidOperationException("YAML did not parse");
        root.Accept("id", "driver", "poll_interval");
        IReadOnlyList<ConfigSection> tagSections = root.GetSectionList("tags");
        var tags = new List<TagDescriptor>();
        foreach (ConfigSection tag in tagSections)
        {
            tags.Add(new TagDescriptor(tag.GetRequiredString("id"), null));
            tag.Accept("unit");
        }

        var device = new DeviceDescriptor(root.GetString("id") ?? "dev", "snmp", TimeSpan.FromSeconds(1), tags);
        var settings = (SnmpDeviceSettings)new SnmpDriverFactory().ReadSettings(device, root, tagSections);
        root.ReportUnknownKeys();
        foreach (ConfigSection tag in tagSections)
        {
            tag.ReportUnknownKeys();
        }

        return (device, !context.Problems.HasAny ? settings : null, context.Problems);
    }

    public static SnmpDriver Create(string yaml, SnmpTrapRouter? router = null, IDeviceAlarmSink? alarms = null, TimeProvider? time = null)
    {
        (DeviceDescriptor device, SnmpDeviceSettings? settings, ConfigProblems problems) = Read(yaml);
        Assert.True(settings is not null, "config problems: " + string.Join("; ", problems.All.Select(p => p.ToString())));
        var context = new DriverContext(NullLoggerFactory.Instance, time ?? TimeProvider.System, Path.GetTempPath()) { DeviceAlarms = alarms };
        return (SnmpDriver)new SnmpDriverFactory(router ?? new SnmpTrapRouter()).Create(device, settings, context);
    }
}
