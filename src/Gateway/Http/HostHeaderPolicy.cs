using System.Net;
using Microsoft.AspNetCore.Http;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>
/// Which <c>Host</c> headers the endpoint answers. DNS rebinding: a web page on <c>evil.example</c> re-points its own
/// name at the gateway's address, and the visitor's browser, now "same origin", reads the status page and sends it
/// home. The browser still says <c>Host: evil.example</c>, so only names the gateway is known by are answered: its
/// listen address, <c>localhost</c> on a loopback or wildcard listener, any address literal on a wildcard listener
/// (an address cannot be re-pointed), and the names in <c>http.allowed_hosts</c>. The port is not compared: a proxy
/// may forward its own.
/// </summary>
internal sealed class HostHeaderPolicy
{
    private readonly IPAddress _listen;
    private readonly HashSet<string> _names;

    public HostHeaderPolicy(IPEndPoint listen, IEnumerable<string> allowedHosts)
    {
        _listen = listen.Address;
        _names = new HashSet<string>(allowedHosts.Select(h => h.Trim('[', ']')), StringComparer.OrdinalIgnoreCase);
    }

    private bool Wildcard => _listen.Equals(IPAddress.Any) || _listen.Equals(IPAddress.IPv6Any);

    public bool Allows(HostString host)
    {
        if (!host.HasValue)
        {
            return true; // HTTP/1.0 without Host: no browser sends that, so no rebinding either
        }

        string name = host.Host.Trim('[', ']');
        if (_names.Contains(name))
        {
            return true;
        }

        if (IPAddress.TryParse(name, out IPAddress? address))
        {
            return Wildcard || address.Equals(_listen) || (IPAddress.IsLoopback(_listen) && IPAddress.IsLoopback(address));
        }

        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) && (Wildcard || IPAddress.IsLoopback(_listen));
    }
}
