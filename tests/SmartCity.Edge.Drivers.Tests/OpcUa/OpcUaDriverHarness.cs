using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Builds an <c>opcua</c> driver from YAML exactly as the gateway would: factory.ReadSettings then Create.</summary>
internal static class OpcUaDriverHarness
{
    public static (DeviceDescriptor Device, OpcUaSettings? Settings, ConfigProblems Problems) Read(string yaml) =>
        DriverYaml.Read<OpcUaSettings>(yaml, new OpcUaDriverFactory(), "opcua", name => name == "OPCUA_PASSWORD" ? "s3cret" : null);

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
