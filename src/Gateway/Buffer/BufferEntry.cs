namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>
/// A record to commit. <paramref name="Body"/> is the record's JSON object members without the braces and
/// without <c>seq</c> (e.g. <c>"tag":"t1","value":3.2,"quality":"good","ts":"…"</c>), encoded once at commit
/// so the forwarder only concatenates.
/// </summary>
public readonly record struct BufferEntry(RecordKind Kind, string DeviceId, string Body);
