namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>A driver's hold on a shared channel; disposing it gives the channel back.</summary>
internal sealed class ModbusChannelLease : IAsyncDisposable
{
    private readonly ModbusConnectionRegistry _registry;
    private readonly string _key;
    private int _disposed;

    public ModbusChannelLease(ModbusConnectionRegistry registry, string key, IModbusChannel channel)
    {
        _registry = registry;
        _key = key;
        Channel = channel;
    }

    public IModbusChannel Channel { get; }

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _disposed, 1) == 0 ? _registry.ReleaseAsync(_key) : ValueTask.CompletedTask;
}
