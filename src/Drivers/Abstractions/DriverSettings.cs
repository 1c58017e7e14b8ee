namespace SmartCity.Edge.Drivers;

/// <summary>Base of each driver's validated settings record (connection keys and per-tag keys).</summary>
public abstract record DriverSettings
{
    /// <summary>
    /// True when the device, as configured, reports alarms it keeps itself through <see cref="IDeviceAlarmSink"/>
    /// (OPC UA <c>events:</c>). The gateway retires such alarms when this turns false or the device is removed.
    /// </summary>
    public virtual bool ReportsDeviceAlarms => false;

    /// <summary>
    /// Tags the driver reads beyond the device's <c>tags:</c> list (an SNMP <c>profile:</c> preset). The gateway adds them
    /// to the device's tags, so alarm rules, deadbands and the status page know them; with any, <c>tags:</c> may be left out.
    /// </summary>
    public virtual IReadOnlyList<TagDescriptor> ImpliedTags => [];
}
