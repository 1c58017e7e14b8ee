namespace SmartCity.Edge.Drivers;

/// <summary>Where a driver hands its readings. Backed by a bounded channel: awaiting applies back-pressure.</summary>
public interface IReadingSink
{
    ValueTask PublishAsync(Reading reading, CancellationToken cancellationToken);
}
