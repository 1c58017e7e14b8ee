using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>Builds an <c>snmp</c> driver from YAML exactly as the gateway would: factory.ReadSettings then Create.</summary>
internal static class SnmpDriverHarness
{
    public static (DeviceDescriptor Device, SnmpDeviceSettings? Settings, ConfigProblems Problems) Read(string yaml) =>
        DriverYaml.Read<SnmpDeviceSettings>(yaml, new SnmpDriverFactory(), "snmp", _ => null);

    public static SnmpDriver Create(string yaml, SnmpTrapRouter? router = null, IDeviceAlarmSink? alarms = null, TimeProvider? time = null)
    {
        (DeviceDescriptor device, SnmpDeviceSettings? settings, ConfigProblems problems) = Read(yaml);
        Assert.True(settings is not null, "config problems: " + string.Join("; ", problems.All.Select(p => p.ToString())));
        var context = new DriverContext(NullLoggerFactory.Instance, time ?? TimeProvider.System, Path.GetTempPath()) { DeviceAlarms = alarms };
        return (SnmpDriver)new SnmpDriverFactory(router ?? new SnmpTrapRouter()).Create(device, settings, context);
    }
}
