namespace SmartCity.Edge.Drivers;

/// <summary>Shorthands over <see cref="IReadingSink"/>.</summary>
public static class ReadingSinkExtensions
{
    /// <summary>Publishes a frame of one reading (an output's new state after a write, a single pushed change).</summary>
    public static ValueTask PublishAsync(this IReadingSink sink, in TagReading reading, CancellationToken cancellationToken)
    {
        ReadingFrame frame = sink.CreateFrame();
        frame.Add(reading);
        return sink.PublishAsync(frame, cancellationToken);
    }
}
