using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Bench.OpcUa;

/// <summary>Counts data changes for the OPC UA benchmarks; a failed monitored item ends the run.</summary>
internal sealed class CountingDataChangeHandler : IUaDataChangeHandler
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"monitored item {clientHandle} failed: {status}");
}
