using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream.Webhooks;

/// <summary>
/// The HTTP client of one webhook, built from its settings: with <c>ca_file</c> the receiver's chain must end in
/// exactly those roots (<see cref="X509ChainTrustMode.CustomRootTrust"/>; the host name is checked as usual), with
/// <c>client_cert</c> it presents that certificate. It remembers why the last TLS handshake refused the receiver, so
/// the delivery loop can say what to fix instead of "SecureConnectionError".
/// </summary>
/// <remarks>Owned by the delivery loop: rebuilt when a reload changes the webhook, disposed between two attempts.</remarks>
internal sealed class WebhookClient : IDisposable
{
    private readonly HttpClient _http;
    private volatile string? _certificateProblem;

    public WebhookClient(WebhookConfiguration webhook)
    {
        Webhook = webhook;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect could carry signed alarms elsewhere
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        handler.SslOptions.RemoteCertificateValidationCallback = Validate;
        if (webhook.Tls?.Roots is { } roots)
        {
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // A private CA rarely publishes revocation lists the gateway could reach.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        if (webhook.Tls?.ClientCertificate is { } client)
        {
            handler.SslOptions.ClientCertificates = [client];
            // Present it whatever CA list the receiver announces: the operator configured it for this receiver.
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }

        _http = new HttpClient(handler)
        {
            Timeout = Timeout.InfiniteTimeSpan, // per webhook, by the caller
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("smartcity-edge", "1.0"));
    }

    public WebhookConfiguration Webhook { get; }

    /// <summary>Why the receiver's certificate was refused in the last handshake that refused it; cleared by <see cref="SendAsync"/>.</summary>
    public string? CertificateProblem => _certificateProblem;

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _certificateProblem = null;
        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reasons.Add("RemoteCertificateNotAvailable");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reasons.Add($"RemoteCertificateNameMismatch: it does not name {Webhook.Url.IdnHost}");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            IEnumerable<string> status = (chain?.ChainStatus ?? []).Select(s => s.Status.ToString()).Distinct();
            reasons.Add("RemoteCertificateChainErrors: " + string.Join(", ", status));
        }

        _certificateProblem = string.Join("; ", reasons);
        return false;
    }
}
