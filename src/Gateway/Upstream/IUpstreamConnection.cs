namespace SmartCity.Edge.Gateway.Upstream;

/// <summary>
/// An upstream as monitoring sees it (status page, <c>/metrics</c>, <c>/readyz</c>): its name and whether it delivers
/// now. Every publisher of a forwarder loop is one; an upstream with a loop of its own (Sparkplug) registers itself.
/// </summary>
internal interface IUpstreamConnection
{
    string Name { get; }

    bool IsConnected { get; }
}
