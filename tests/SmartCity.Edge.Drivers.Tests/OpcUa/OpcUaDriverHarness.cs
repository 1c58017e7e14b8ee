using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Builds an <c>opcua</c> driver from YAML exactly as the gateway would: factory.ReadSettings then Create.</summary>
internal static class OpcUaDriverHarness
{
    public static (DeviceDescriptor Device, OpcUaSettings? Settings, ConfigProblems Problems) Read(string yaml)
    {
        var context = new ConfigContext("test.yaml", name => name == "OPCUA_PASSWORD" ? "s3cret" : null);
        ConfigSection root = ConfigDocument.Parse(yaml, context) ?? throw new InvalidOperationException("YAML did not parse");
        root.Accept("id", "driver", "poll_interval");
        IReadOnlyList<ConfigSection> tagSections = root.GetSectionList("tags");
        var tags = new List<TagDescriptor>();
        foreach (ConfigSection tag in tagSections)
        {
            tags.Add(new TagDescriptor(tag.GetRequiredString("id"), null));
            tag.Accept("unit");
        }

        var device = new DeviceDescriptor(root.GetString("id") ?? "dev", "opcua", TimeSpan.FromSeconds(1), tags);
        var settings = (OpcUaSettings)new OpcUaDriverFactory().ReadSettings(device, root, tagSections);
        root.ReportUnknownKeys();
        foreach (ConfigSection tag in tagSections)
        {
            tag.ReportUnknownKeys();
        }

        return (device, !context.Problems.HasAny ? settings : null, context.Problems);
    }

    public static OpcUaDriver Create(string yaml) => Create(yaml, Path.GetTempPath());

    /// <summary>As <see cref="Create(string)"/> with the gateway's data_dir (the PKI folder goes below it).</summary>
    public static OpcUaDriver Create(string yaml, string dataDirectory, IDeviceAlarmSink? deviceAlarms = null, ILoggerFactory? loggerFactory = null, IDeviceGaugeSink? gauges = null)
    {
        (DeviceDescriptor device, OpcUaSettings? settings, ConfigProblems problems) = Read(yaml);
        Assert.True(settings is not null, "config problems: " + string.Join("; ", problems.All.Select(p => p.ToString())));
        var context = new DriverContext(loggerFactory ?? NullLoggerFactory.Instance, TimeProvider.System, dataDirectory) { DeviceAlarms = deviceAlarms, DeviceGauges = gauges };
        return (OpcUaDriver)new OpcUaDriverFactory().Create(device, settings, context);
    }
}
