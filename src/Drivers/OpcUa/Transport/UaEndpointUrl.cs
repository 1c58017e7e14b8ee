using System.Diagnostics.CodeAnalysis;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>An <c>opc.tcp://host:port/path</c> URL (OPC 10000-6 §7.2; default port 4840).</summary>
public sealed record UaEndpointUrl(string Host, int Port, string Url)
{
    public const int DefaultPort = 4840;

    public static bool TryParse(string? text, [NotNullWhen(true)] out UaEndpointUrl? url, [NotNullWhen(false)] out string? error)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(text) || !text.StartsWith("opc.tcp://", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' is not an OPC UA endpoint (write opc.tcp://host:4840)";
            return false;
        }

        if (!Uri.TryCreate("tcp://" + text["opc.tcp://".Length..], UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{text}' has no valid host (write opc.tcp://host:4840)";
            return false;
        }

        url = new UaEndpointUrl(uri.Host.Trim('[', ']'), uri.IsDefaultPort || uri.Port <= 0 ? DefaultPort : uri.Port, text);
        error = null;
        return true;
    }

    public override string ToString() => Url;
}
