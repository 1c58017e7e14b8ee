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
        if (!HttpConfiguration.TryParseListen(listen, out IPEndPoint? parsed, out string? listenError))
        {
            section.Error("listen", listenError);
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

        var http = new HttpConfiguration(enabled, endpoint, token, allowedHosts, allowUnauthenticated);
        if (http.ExposureProblem(endpoint) is { } exposed)
        {
            section.Error("listen", exposed);
        }

        return http;
    }
}
