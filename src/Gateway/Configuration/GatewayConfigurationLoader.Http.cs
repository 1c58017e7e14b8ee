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

        return new HttpConfiguration(enabled, endpoint, token);
    }
}
