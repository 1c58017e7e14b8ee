namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Receives what a <see cref="UaSubscription"/> delivers, in sequence-number order.</summary>
public interface IUaDataChangeHandler
{
    /// <summary>A monitored item's new value (or bad status).</summary>
    ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken);

    /// <summary>A monitored item could not be created (e.g. Bad_NodeIdUnknown) — also after a subscription was recreated.</summary>
    ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken);
}
