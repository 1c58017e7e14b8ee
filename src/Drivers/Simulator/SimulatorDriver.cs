namespace SmartCity.Edge.Drivers.Simulator;

/// <summary>Produces one reading per tag per poll from a waveform of the clock, so alarms trip on a predictable rhythm.</summary>
internal sealed class SimulatorDriver : IDeviceDriver, IReadBackTags
{
    private readonly DeviceDescriptor _device;
    private readonly SimulatorSettings _settings;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly double[] _state;
    private readonly DateTimeOffset _origin;
    private IReadingSink? _sink;

    public SimulatorDriver(DeviceDescriptor device, SimulatorSettings settings, TimeProvider time)
    {
        _device = device;
        _settings = settings;
        _time = time;
        _random = new Random(settings.Seed);

        // Waveforms start when the driver starts, so a demo shows its first alarm within seconds.
        _origin = time.GetUtcNow();
        _state = new double[settings.Tags.Count];
        for (int i = 0; i < _state.Length; i++)
        {
            SimulatedTag tag = settings.Tags[i];
            _state[i] = tag.Signal == SimulatedSignal.RandomWalk ? (tag.Min + tag.Max) / 2 : tag.Min;
        }
    }

    public ValueTask ConnectAsync(IReadingSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        return ValueTask.CompletedTask;
    }

    public async ValueTask PollAsync(CancellationToken cancellationToken)
    {
        IReadingSink sink = _sink ?? throw new InvalidOperationException("PollAsync before ConnectAsync.");
        DateTimeOffset now = _time.GetUtcNow();
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            SimulatedTag tag = _settings.Tags[i];
            TagValue value = Next(i, tag, now);
            await sink.PublishAsync(Reading.Good(_device.Id, tag.Id, value, now), cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask WriteAsync(string tagId, TagValue value, CancellationToken cancellationToken)
    {
        int index = -1;
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            if (_settings.Tags[i].Id == tagId)
            {
                index = i;
            }
        }

        if (index < 0)
        {
            throw new NotSupportedException($"Device '{_device.Id}' has no tag '{tagId}'.");
        }

        if (!value.IsNumeric || !double.IsFinite(value.AsDouble()))
        {
            throw new TagValueRejectedException($"simulated tag '{tagId}' of '{_device.Id}' takes a number or true/false, not {TagValueText.Describe(value)}");
        }

        // A write pins the simulated value, as an output would hold it.
        _state[index] = value.AsDouble();
        return ValueTask.CompletedTask;
    }

    /// <summary>The value a write pinned (or the waveform's state): what a constant tag reports at its next poll.</summary>
    public ValueTask<TagValue> ReadTagAsync(string tagId, CancellationToken cancellationToken)
    {
        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            if (_settings.Tags[i].Id == tagId)
            {
                return ValueTask.FromResult(TagValue.FromDouble(_state[i]));
            }
        }

        throw new NotSupportedException($"Device '{_device.Id}' has no tag '{tagId}'.");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private TagValue Next(int index, SimulatedTag tag, DateTimeOffset now)
    {
        double seconds = (now - _origin).TotalSeconds;
        double phase = seconds / tag.Period.TotalSeconds;
        switch (tag.Signal)
        {
            case SimulatedSignal.Constant:
                return TagValue.FromDouble(_state[index]);
            case SimulatedSignal.Sine:
                double mid = (tag.Min + tag.Max) / 2;
                double amplitude = (tag.Max - tag.Min) / 2;
                return TagValue.FromDouble(Math.Round(mid + (amplitude * Math.Sin(2 * Math.PI * phase)), 3));
            case SimulatedSignal.RandomWalk:
                double next = _state[index] + (((_random.NextDouble() * 2) - 1) * tag.Step);
                _state[index] = Math.Clamp(next, tag.Min, tag.Max);
                return TagValue.FromDouble(Math.Round(_state[index], 3));
            case SimulatedSignal.Toggle:
                return TagValue.FromBoolean(phase - Math.Floor(phase) < 0.5);
            case SimulatedSignal.Counter:
                double count = _state[index];
                _state[index] = count + 1 > tag.Max ? tag.Min : count + 1;
                return TagValue.FromInt64((long)count);
            default:
                throw new InvalidOperationException($"Unhandled signal {tag.Signal}.");
        }
    }
}
