using System.Net;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Which device a trap belongs to, by its UDP source address: the targets of the running <c>snmp</c> devices. Shared by
/// the driver factory (drivers attach on connect) and the trap listener. A target is kept across driver instances of
/// the same configuration (its alarm states with it) and dropped when the device stops. Thread-safe.
/// </summary>
internal sealed class SnmpTrapRouter
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SnmpTrapTarget> _byDevice = new(StringComparer.Ordinal);
    private volatile SnmpTrapTarget[] _all = [];

    /// <summary>Attaches (or re-attaches after a reconnect) a device; returns its target.</summary>
    public SnmpTrapTarget Attach(string deviceId, SnmpDeviceSettings settings, IPAddress address, IReadingSink readings, IDeviceAlarmSink? alarms, TimeProvider time, ILogger logger)
    {
        lock (_gate)
        {
            if (!_byDevice.TryGetValue(deviceId, out SnmpTrapTarget? target) || !ReferenceEquals(target.Settings, settings) || !target.Address.Equals(address))
            {
                target = new SnmpTrapTarget(deviceId, settings, address, time, logger);
                _byDevice[deviceId] = target;
                _all = [.. _byDevice.Values];
            }

            target.Readings = readings;
            target.Alarms = alarms;
            return target;
        }
    }

    /// <summary>The device stopped (removed, restarted by a reload, shutdown): its traps are unknown from now on.</summary>
    public void Detach(string deviceId, SnmpTrapTarget target)
    {
        lock (_gate)
        {
            if (_byDevice.TryGetValue(deviceId, out SnmpTrapTarget? current) && ReferenceEquals(current, target))
            {
                _byDevice.Remove(deviceId);
                _all = [.. _byDevice.Values];
            }
        }
    }

    /// <summary>The devices whose host is <paramref name="source"/> (several when one agent serves several device entries).</summary>
    public IReadOnlyList<SnmpTrapTarget> Find(IPAddress source)
    {
        if (source.IsIPv4MappedToIPv6)
        {
            source = source.MapToIPv4();
        }

        SnmpTrapTarget[] all = _all;
        List<SnmpTrapTarget>? found = null;
        foreach (SnmpTrapTarget target in all)
        {
            if (target.Address.Equals(source))
            {
                (found ??= []).Add(target);
            }
        }

        return found ?? (IReadOnlyList<SnmpTrapTarget>)[];
    }

    public IReadOnlyCollection<SnmpTrapTarget> Targets => _all;
}
