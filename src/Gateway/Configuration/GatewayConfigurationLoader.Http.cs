using System.Net;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>The <c>http:</c> section (status page, health and metrics endpoint).</summary>
public sealed partial class GatewayConfigurationLoader
{
    private static HttpConfiguration ReadHttp(ConfigSection root)
    {
        ConfigSection? section = root.GetSection("http");
        if (section is null)
        {
            return HttpConfiguration.Default;
        }

        bool enabled = section.GetBoolean("enabled", true);
        string listen = section.GetString("listen", "127.0.0.1:8080")!;
        string? token = section.GetString("token");
        bool allowUnauthenticated = section.GetBoolean("allow_unauthenticated", false);
        IReadOnlyList<string> allowedHosts = section.GetScalarList("allowed_hosts") ?? [];
        section.ReportUnknownKeys();

        IPEndPoint endpoint = HttpConfiguration.Default.Listen;
        if (listen.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) && int.TryParse(listen.AsSpan(10), out int localPort) && localPort is > 0 and <= 65535)
        {
            endpoint = new IPEndPoint(IPAddress.Loopback, localPort);
        }
        else if (!IPEndPoint.TryParse(listen, out IPEndPoint? parsed) || parsed.Port == 0)
        {
            section.Error("listen", $"'{listen}' is not an address and port (write 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080)");
        }
        else
        {
            endpoint = parsed;
        }

        if (token is { Length: < 16 })
        {
            section.Error("token", "the token is shorter than 16 characters; use a long random value, e.g. from `openssl rand -hex 24`");
        }

        foreach (string host in allowedHosts)
        {
            if (Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6))
            {
                section.Error("allowed_hosts", $"'{host}' is not a host name (write the name browsers use for the gateway, without port or scheme, e.g. gateway-7.park.example)");
            }
        }

        // Anyone on that network could read every device, value and alarm, and watch the park's state change.
        if (enabled && !IPAddress.IsLoopback(endpoint.Address) && token is null && !allowUnauthenticated)
        {
            section.Error("listen", $"{endpoint} is reachable from the network, and without http.token anyone there can read the status page, values, alarms and metrics: set token: ${{file:/etc/smartcity-edge/http-token}} (at least 16 characters, e.g. openssl rand -hex 24), or allow_unauthenticated: true to accept that");
        }

        return new HttpConfiguration(enabled, endpoint, token, allowedHosts, allowUnauthenticated);
    }
}
