namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>One MQTT message to publish; <paramref name="LastSeq"/> is the highest seq it carries.</summary>
internal readonly record struct UpstreamMessage(string Topic, ReadOnlyMemory<byte> Payload, bool Retain, long LastSeq);
