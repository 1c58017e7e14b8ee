namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>What the seq high-water mark file says (<see cref="SeqHighWaterMark.Read"/>).</summary>
/// <param name="Status">Missing, valid or damaged.</param>
/// <param name="Value">The mark, when valid.</param>
/// <param name="Problem">What is wrong with it, when damaged.</param>
internal readonly record struct SeqMarkReading(SeqMarkStatus Status, long Value, string? Problem)
{
    public static SeqMarkReading Missing => new(SeqMarkStatus.Missing, 0, null);

    public static SeqMarkReading Valid(long value) => new(SeqMarkStatus.Valid, value, null);

    public static SeqMarkReading Damaged(string problem) => new(SeqMarkStatus.Damaged, 0, problem);
}
