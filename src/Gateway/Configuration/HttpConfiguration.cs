using System.Net;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>http:</c> section: health, metrics and the technicians' status page.</summary>
/// <param name="Enabled">False turns the endpoint off.</param>
/// <param name="Listen">Address and port; loopback by default so nothing is exposed unless a technician asks for it.</param>
/// <param name="Token">When set, every path except <c>/healthz</c> needs <c>Authorization: Bearer TOKEN</c> (or <c>?token=</c> for a browser). Never logged.</param>
/// <param name="AllowedHosts">
/// Host names the endpoint answers to besides its own address (<c>allowed_hosts</c>): a request whose <c>Host</c>
/// header names anything else is refused with 421, which defeats DNS rebinding (a web page whose own name was
/// re-pointed at the gateway cannot read it).
/// </param>
/// <param name="AllowUnauthenticated"><c>allow_unauthenticated: true</c>: a non-loopback <c>listen</c> without a token, warned at every start.</param>
public sealed record HttpConfiguration(bool Enabled, IPEndPoint Listen, string? Token, IReadOnlyList<string> AllowedHosts, bool AllowUnauthenticated = false)
{
    public static readonly HttpConfiguration Default = new(true, new IPEndPoint(IPAddress.Loopback, 8080), null, []);

    public override string ToString() => $"http://{Listen} token={(Token is null ? "none" : "set")}";
}
