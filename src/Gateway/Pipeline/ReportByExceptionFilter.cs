using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Report-by-exception: a reading passes when it is the tag's first, when its quality or reason changed, when a
/// non-numeric value changed, or when a numeric value moved at least the tag's deadband from the last one that passed.
/// State is kept per device in arrays indexed like the device's tag table: one lookup per frame, none per reading.
/// </summary>
internal sealed class ReportByExceptionFilter
{
    private readonly Dictionary<string, DeviceFilter> _devices = new(StringComparer.Ordinal);

    public ReportByExceptionFilter(IEnumerable<DeviceConfiguration> devices, ReportByExceptionFilter? previous = null)
    {
        foreach (DeviceConfiguration device in devices)
        {
            DeviceFilter? kept = null;
            previous?._devices.TryGetValue(device.Id, out kept);
            _devices[device.Id] = new DeviceFilter(device, kept);
        }
    }

    /// <summary>
    /// The state of the device <paramref name="table"/> belongs to, or null when its readings pass unfiltered: a device
    /// the configuration does not know (any more), or a frame of a tag table with other tags than the configured one
    /// (a frame still in flight from before a reload restarted the device). Never hide what cannot be judged.
    /// </summary>
    public DeviceFilter? For(TagTable table) =>
        _devices.TryGetValue(table.DeviceId, out DeviceFilter? device) && device.Accepts(table) ? device : null;

    /// <summary>Report-by-exception state of one device's tags.</summary>
    internal sealed class DeviceFilter
    {
        private readonly TagTable _table;
        private double[] _deadbands;
        private bool[] _hasValue;
        private Quality[] _quality;
        private string?[] _reason;
        private TagValue[] _value;
        private TagTable _lastAccepted;

        public DeviceFilter(DeviceConfiguration device, DeviceFilter? previous)
        {
            _table = _lastAccepted = device.Table;
            int count = device.Tags.Count;
            _deadbands = new double[count];
            _hasValue = new bool[count];
            _quality = new Quality[count];
            _reason = new string?[count];
            _value = new TagValue[count];
            for (int i = 0; i < count; i++)
            {
                TagConfiguration tag = device.Tags[i];
                _deadbands[i] = tag.Deadband;

                // After a reload a tag with the same deadband keeps its last published value: no burst of repeats.
                if (previous is not null && previous._table.TryGetIndex(tag.Id, out int old) && previous._deadbands[old] == tag.Deadband)
                {
                    _hasValue[i] = previous._hasValue[old];
                    _quality[i] = previous._quality[old];
                    _reason[i] = previous._reason[old];
                    _value[i] = previous._value[old];
                }
            }
        }

        public bool Accepts(TagTable table)
        {
            if (ReferenceEquals(table, _lastAccepted))
            {
                return true;
            }

            if (!table.StartsWith(_table))
            {
                return false;
            }

            // The device named tags at run time (SNMP walk rows): they get state too, without a deadband.
            if (table.Count > _value.Length)
            {
                Grow(table.Count);
            }

            _lastAccepted = table;
            return true;
        }

        private void Grow(int count)
        {
            Array.Resize(ref _deadbands, count);
            Array.Resize(ref _hasValue, count);
            Array.Resize(ref _quality, count);
            Array.Resize(ref _reason, count);
            Array.Resize(ref _value, count);
        }

        public bool ShouldPublish(in TagReading reading)
        {
            int i = reading.TagIndex;
            bool publish = !_hasValue[i]
                || _quality[i] != reading.Quality
                || !string.Equals(_reason[i], reading.Reason, StringComparison.Ordinal)
                || Changed(_deadbands[i], _value[i], reading.Value);
            if (publish)
            {
                _hasValue[i] = true;
                _quality[i] = reading.Quality;
                _reason[i] = reading.Reason;
                _value[i] = reading.Value;
            }

            return publish;
        }

        private static bool Changed(double deadband, TagValue last, TagValue value)
        {
            if (deadband > 0 && value.IsNumeric && last.IsNumeric && value.Kind != TagValueKind.Boolean)
            {
                return Math.Abs(value.AsDouble() - last.AsDouble()) >= deadband;
            }

            return value != last;
        }
    }
}
