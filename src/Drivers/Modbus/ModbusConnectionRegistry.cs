using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// The channels of one factory instance (no statics): one per TCP gateway and per serial bus, reference-counted by the
/// drivers that lease them. A channel survives its devices' driver instances being recreated after failures; it goes
/// when the last lease goes.
/// </summary>
internal sealed class ModbusConnectionRegistry
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public ModbusConnectionRegistry(TimeProvider time)
    {
        _time = time;
        FailureLog = new ModbusFailureLogLimiter(time, TimeSpan.FromMinutes(1));
    }

    public ModbusFailureLogLimiter FailureLog { get; }

    /// <summary>Number of open leases per link key (tests check sharing).</summary>
    public int LeaseCount(string key)
    {
        lock (_entries)
        {
            return _entries.TryGetValue(key, out Entry? entry) ? entry.Leases : 0;
        }
    }

    public ModbusChannelLease Acquire(ModbusLinkSettings link, ILogger logger)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(link.Key, out Entry? entry))
            {
                if (link.Serial is { } serial && entry.Link.Serial is { } existing && !serial.SameLineAs(existing))
                {
                    throw new DeviceException($"serial port {serial.PortName} is already used by another device with different line settings ({existing.BaudRate} baud, {existing.Parity}, {existing.DataBits} data bits, {existing.StopBits} stop bits): every device on one bus must use the same baud, parity, data_bits and stop_bits")
                    {
                        Kind = "config",
                    };
                }

                entry.Leases++;
                return new ModbusChannelLease(this, link.Key, entry.Channel);
            }

            IModbusChannel channel = ModbusLink.Create(link, _time, logger);
            _entries.Add(link.Key, new Entry(link, channel));
            return new ModbusChannelLease(this, link.Key, channel);
        }
    }

    internal ValueTask ReleaseAsync(string key)
    {
        IModbusChannel? last = null;
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out Entry? entry) && --entry.Leases == 0)
            {
                _entries.Remove(key);
                last = entry.Channel;
            }
        }

        return last?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private sealed class Entry
    {
        public Entry(ModbusLinkSettings link, IModbusChannel channel)
        {
            Link = link;
            Channel = channel;
        }

        public ModbusLinkSettings Link { get; }

        public IModbusChannel Channel { get; }

        public int Leases { get; set; } = 1;
    }
}
