namespace SmartCity.Edge.Gateway.Cli;

/// <summary>One upstream target <c>smartcity-edge test</c> checked: the broker, or a webhook.</summary>
/// <param name="Kind"><c>mqtt</c> or <c>webhook</c>.</param>
/// <param name="Target">What was checked, e.g. <c>mqtts://broker:8883</c> or a webhook's URL without its query.</param>
/// <param name="Ok">The broker took the connection and the command subscriptions; the webhook answered 2xx.</param>
/// <param name="Detail">What happened; on a failure the key to change and the likely fix.</param>
/// <param name="Elapsed">From the first byte sent until the answer or the failure.</param>
internal sealed record UpstreamCheck(string Kind, string Target, bool Ok, string Detail, TimeSpan Elapsed);
