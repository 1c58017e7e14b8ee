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

    /// <summary>
    /// Parses a listen address as <c>http.listen</c> and <c>run --http-listen</c> take it: <c>127.0.0.1:8080</c>,
    /// <c>0.0.0.0:8080</c>, <c>[::1]:8080</c> or <c>localhost:8080</c>. Port 0 binds a port the system picks, logged
    /// once bound (event 1400): for tests and for instances side by side, which then read their port from the log.
    /// </summary>
    public static bool TryParseListen(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPEndPoint? endpoint, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        error = null;
        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(text.AsSpan(10), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int localPort)
            && localPort is >= 0 and <= 65535)
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, localPort);
            return true;
        }

        if (IPEndPoint.TryParse(text, out endpoint) && (endpoint.Port != 0 || NamesPortZero(text)))
        {
            return true;
        }

        endpoint = null;
        error = $"'{text}' is not an address and port (write 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080)";
        return false;
    }

    /// <summary>
    /// Port 0 written out (<c>127.0.0.1:0</c>, <c>[::1]:0</c>), not a bare address that parses with no port
    /// (<c>8080</c> is the IPv4 address 0.0.31.144, <c>::1</c> an IPv6 address).
    /// </summary>
    private static bool NamesPortZero(string text) =>
        text.EndsWith(":0", StringComparison.Ordinal) && (text.StartsWith('[') || text.IndexOf(':', StringComparison.Ordinal) == text.Length - 2);

    /// <summary>
    /// Why <paramref name="listen"/> may not be used with this section's token settings, or null: anyone on that network
    /// could read every device, value and alarm, and watch the park's state change.
    /// </summary>
    public string? ExposureProblem(IPEndPoint listen) =>
        Enabled && !IPAddress.IsLoopback(listen.Address) && Token is null && !AllowUnauthenticated
            ? $"{listen} is reachable from the network, and without http.token anyone there can read the status page, values, alarms and metrics: set token: ${{file:/etc/smartcity-edge/http-token}} (at least 16 characters, e.g. openssl rand -hex 24), or allow_unauthenticated: true to accept that"
            : null;
}
