using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Client options for the secured endpoints of the node-opcua test server, with our own PKI folder.</summary>
internal static class OpcUaSecureClients
{
    public const string ApplicationUri = "urn:smartcity-edge:test";

    public static async Task<UaEndpointDescription[]> EndpointsAsync(string url)
    {
        UaEndpointUrl.TryParse(url, out UaEndpointUrl? endpoint, out _);
        return await UaSession.GetEndpointsAsync(endpoint!, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());
    }

    /// <summary>The server's application certificate (the same on every endpoint).</summary>
    public static async Task<X509Certificate2> ServerCertificateAsync(string url)
    {
        UaEndpointDescription endpoint = (await EndpointsAsync(url)).First(e => e.ServerCertificate is { Length: > 0 });
        return X509CertificateLoader.LoadCertificate(UaCertificateInfo.LeafOf(endpoint.ServerCertificate!));
    }

    /// <summary>
    /// Options for <paramref name="policy"/> (or auto) and <paramref name="mode"/> (null: auto), our certificate in
    /// <paramref name="store"/>, the server's trusted there when <paramref name="trustServer"/>.
    /// </summary>
    /// <param name="validatorTime">The clock of the certificate checks (a test moves it to see an expiry); default the system's.</param>
    public static async Task<UaClientOptions> SecureOptionsAsync(
        string url, UaCertificateStore store, string policy, UaMessageSecurityMode? mode, bool trustServer, bool allowDeprecated = false, TimeProvider? validatorTime = null)
    {
        UaEndpointUrl.TryParse(url, out UaEndpointUrl? endpoint, out _);
        UaApplicationCertificate own = store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        if (trustServer)
        {
            using X509Certificate2 server = await ServerCertificateAsync(url);
            store.AddTrusted(server);
        }

        // node-opcua's certificate names the machine's host name, not 127.0.0.1: the host check is tested apart.
        var validator = new UaCertificateValidator(store, new UaCertificateValidationOptions(CheckHostName: false), validatorTime ?? TimeProvider.System);
        var configuration = new UaSecurityConfiguration(policy, mode, allowDeprecated, false, false, TimeSpan.FromDays(1), ApplicationUri);
        return new UaClientSecurity(configuration, own, validator, endpoint!.Host).Apply(new UaClientOptions { Endpoint = endpoint });
    }

    /// <summary>The same options through another endpoint URL (a proxy in front of the server).</summary>
    public static UaClientOptions Via(this UaClientOptions options, string url)
    {
        UaEndpointUrl.TryParse(url, out UaEndpointUrl? endpoint, out _);
        return options with { Endpoint = endpoint! };
    }
}
