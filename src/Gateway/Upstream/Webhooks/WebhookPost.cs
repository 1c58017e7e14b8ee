using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream.Webhooks;

/// <summary>
/// One signed POST to a webhook and, when it fails, why in words that name the key to change. Shared by the delivery
/// loop (<see cref="WebhookDispatcher"/>) and <c>smartcity-edge test</c>'s test delivery, so a technician reads the
/// same reason in both and the test delivery is signed exactly like a real one.
/// </summary>
internal static class WebhookPost
{
    /// <summary>Present (value <c>1</c>) only on the test delivery of <c>smartcity-edge test</c>: receivers may ignore such a request.</summary>
    public const string TestHeaderName = "X-SmartCity-Test";

    /// <summary>POSTs <paramref name="body"/> signed with the webhook's secret; null on a 2xx, else why not.</summary>
    /// <param name="client">The webhook's client (its TLS settings).</param>
    /// <param name="body">The exact bytes signed and sent.</param>
    /// <param name="key">The webhook's configuration path, e.g. <c>webhooks[0]</c>, for the reason.</param>
    /// <param name="test">Marks the request with <see cref="TestHeaderName"/>.</param>
    /// <param name="stoppingToken">Cancels without a reason (shutting down).</param>
    public static async Task<string?> SendAsync(WebhookClient client, byte[] body, string key, bool test, CancellationToken stoppingToken)
    {
        WebhookConfiguration webhook = client.Webhook;
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(webhook.Secret, body));
        if (test)
        {
            request.Headers.TryAddWithoutValidation(TestHeaderName, "1");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(webhook.Timeout);
        try
        {
            using HttpResponseMessage response = await client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : Rejected(response.StatusCode, response.ReasonPhrase, key);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return $"no answer within {webhook.Timeout.TotalSeconds:0.#}s (check {key}.url, or raise {key}.timeout for a slow receiver)";
        }
        catch (HttpRequestException ex)
        {
            if (client.CertificateProblem is { } problem)
            {
                return DescribeUntrusted(webhook, problem, key);
            }

            string reason = ex.HttpRequestError.ToString() + (ex.InnerException is { } inner ? ": " + inner.Message : string.Empty);
            return ex.GetBaseException() is SocketException socket ? reason + Unreachable(socket.SocketErrorCode, key) : reason;
        }
    }

    /// <summary>The receiver answered with an error status: what that usually means.</summary>
    private static string Rejected(HttpStatusCode status, string? phrase, string key)
    {
        string text = $"HTTP {(int)status} {phrase}";
        return status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => text + $" (the receiver refused the request: check {key}.secret against the receiver's)",
            HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed => text + $" (check the path in {key}.url)",
            _ => text,
        };
    }

    private static string Unreachable(SocketError error, string key) => error switch
    {
        SocketError.ConnectionRefused => $" (nothing listens there: check the host and port in {key}.url and that the receiver runs)",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $" (the host name does not resolve: check {key}.url)",
        _ => string.Empty,
    };

    /// <summary>What the operator should change when the receiver's certificate was refused.</summary>
    private static string DescribeUntrusted(WebhookConfiguration webhook, string problem, string key)
    {
        if (problem.Contains("NameMismatch", StringComparison.Ordinal))
        {
            return $"the receiver's certificate is not valid for {webhook.Url.IdnHost} ({problem}); use the host name the certificate names in {key}.url, or have the desk's certificate reissued for it";
        }

        return webhook.Tls?.CaFile is { } caFile
            ? $"the receiver's certificate is not trusted by {key}.ca_file '{caFile}' ({problem}); put the CA that signed the receiver's certificate in that file"
            : $"the receiver's certificate is not trusted ({problem}); set {key}.ca_file to the PEM file of the receiver's CA";
    }
}
