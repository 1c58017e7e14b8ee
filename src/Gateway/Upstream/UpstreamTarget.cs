namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// One upstream: where messages go (<paramref name="Publisher"/>) and how buffered records become messages for it
/// (<paramref name="Encoder"/>). Each is drained by its own forwarder loop with its own cursor in the buffer, under
/// <paramref name="Name"/>: a stable name (<c>mqtt</c>, <c>console</c>, <c>sparkplug</c>) that keys the cursor across
/// restarts, so changing a broker's address keeps the upstream's place.
/// </summary>
internal sealed record UpstreamTarget(string Name, IUpstreamPublisher Publisher, IUpstreamEncoder Encoder);
