namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Receives what a <see cref="UaSubscription"/> delivers, in sequence-number order.</summary>
public interface IUaDataChangeHandler
{
    /// <summary>A monitored item's new value (or bad status).</summary>
    ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken);

    /// <summary>
    /// The data changes of one notification message (or of one re-read of every item) have all been delivered: a
    /// handler that batches them hands the batch on here.
    /// </summary>
    ValueTask OnDataChangesCompleteAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A monitored item could not be created (e.g. Bad_NodeIdUnknown) — also after a subscription was recreated.</summary>
    ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken);

    /// <summary>An event of an event monitored item: its selected fields in select-clause order (absent ones are null variants).</summary>
    ValueTask OnEventAsync(uint clientHandle, UaVariant[] fields, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
