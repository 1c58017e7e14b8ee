namespace SmartCity.Edge.Drivers;

/// <summary>Base of each driver's validated settings record (connection keys and per-tag keys).</summary>
public abstract record DriverSettings
{
    /// <summary>
    /// True when the device, as configured, reports alarms it keeps itself through <see cref="IDeviceAlarmSink"/>
    /// (OPC UA <c>events:</c>). The gateway retires such alarms when this turns false or the device is removed.
    /// </summary>
    public virtual bool ReportsDeviceAlarms => false;
}
