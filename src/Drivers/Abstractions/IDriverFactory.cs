using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Drivers;

/// <summary>
/// The one thing the gateway knows of a driver (Telegraf plugin style). Register with <c>services.AddXxxDriver()</c>.
/// </summary>
public interface IDriverFactory
{
    /// <summary>The <c>driver:</c> values this factory serves, e.g. <c>modbus-tcp</c>, <c>modbus-rtu</c>.</summary>
    IReadOnlyList<string> DriverNames { get; }

    /// <summary>
    /// Reads this driver's own keys from the device mapping and from each tag mapping (the gateway has already read
    /// <c>id</c>, <c>driver</c>, <c>poll_interval</c>, <c>tags</c> and each tag's <c>id</c>, <c>unit</c>, <c>deadband</c>).
    /// Every problem goes to <see cref="ConfigSection.Problems"/>; the result is used only when none was reported.
    /// Unknown keys are reported by the gateway afterwards, so read every key you accept.
    /// </summary>
    /// <param name="device">The common part of the device.</param>
    /// <param name="deviceSection">The device mapping.</param>
    /// <param name="tagSections">The tag mappings, in the same order as <see cref="DeviceDescriptor.Tags"/>.</param>
    DriverSettings ReadSettings(DeviceDescriptor device, ConfigSection deviceSection, IReadOnlyList<ConfigSection> tagSections);

    /// <summary>Creates an unconnected driver instance. Must not do I/O.</summary>
    IDeviceDriver Create(DeviceDescriptor device, DriverSettings settings, DriverContext context);

    /// <summary>
    /// What a technician should check when tag <paramref name="tagIndex"/> of a device reports <paramref name="reason"/>
    /// (the <see cref="Reading.Reason"/> this driver gave it), e.g. for Modbus <c>IllegalDataAddress (02)</c>: the address
    /// sent and that addresses are 0-based. The same text the driver logs, so <c>smartcity-edge test</c>, the log and
    /// the driver's own tool say the same. Null when the driver has nothing to add.
    /// </summary>
    string? Explain(DeviceDescriptor device, DriverSettings settings, int tagIndex, string reason) => null;
}
