namespace SmartCity.Edge.Drivers;

/// <summary>
/// Where a driver reports a gauge about its device connection besides readings — e.g. the days left on the OPC UA
/// application certificate — shown by the gateway's <c>/metrics</c> as <c>smartcity_edge_{name}{device="…"}</c>.
/// Reached through <see cref="DriverContext.DeviceGauges"/>; null where nobody shows them (technician tools).
/// </summary>
/// <remarks>
/// A gauge outlives the driver instance that set it (the supervisor recreates drivers after failures, and a value such
/// as a certificate's remaining days matters most while connecting fails), until the device is removed or a driver
/// sets it again. The value is read at every scrape, so a time-dependent value stays current without the driver
/// pushing it.
/// </remarks>
public interface IDeviceGaugeSink
{
    /// <summary>Sets (or replaces) a gauge of a device.</summary>
    /// <param name="deviceId">The device.</param>
    /// <param name="name">
    /// Metric name without the <c>smartcity_edge_</c> prefix, lower_snake_case starting with the driver's name
    /// (<c>opcua_certificate_days_left</c>); a contract for dashboards once shipped: add, never rename.
    /// </param>
    /// <param name="help">The metric's HELP text.</param>
    /// <param name="read">Returns the current value; called on every scrape, so it must be cheap and must not throw.</param>
    void SetGauge(string deviceId, string name, string help, Func<double> read);
}
