namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>A committed record awaiting delivery, with its gateway-wide, strictly increasing <paramref name="Seq"/>.</summary>
public readonly record struct BufferedRecord(long Seq, RecordKind Kind, string DeviceId, string Body);
