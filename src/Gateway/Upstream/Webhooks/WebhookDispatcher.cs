using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Upstream.Webhooks;

/// <summary>
/// Delivers the webhook outbox of <c>alarms.db</c>: one loop per webhook POSTs its oldest queued alarm, deletes it
/// on a 2xx and otherwise retries the same one with exponential backoff, so each receiver sees its alarms in order
/// and an alarm raised during an outage (or before a restart) arrives when the receiver is back.
/// </summary>
internal sealed class WebhookDispatcher : BackgroundService
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(250);

    private readonly AlarmStateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim[] _wake;

    public WebhookDispatcher(GatewayConfiguration configuration, AlarmStateStore store, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        Webhooks = configuration.Webhooks;
        _store = store;
        _time = time;
        _logger = logger;
        _wake = Webhooks.Select(_ => new SemaphoreSlim(0, 1)).ToArray();
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect could carry signed alarms elsewhere
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // per webhook, below
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("smartcity-edge", "1.0"));
    }

    public IReadOnlyList<WebhookConfiguration> Webhooks { get; }

    /// <summary>New deliveries were queued.</summary>
    public void Notify()
    {
        foreach (SemaphoreSlim wake in _wake)
        {
            if (wake.CurrentCount == 0)
            {
                try
                {
                    wake.Release();
                }
                catch (SemaphoreFullException)
                {
                    // Already signalled by a concurrent Notify.
                }
            }
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        foreach (SemaphoreSlim wake in _wake)
        {
            wake.Dispose();
        }

        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int dropped = _store.DropOutboxExcept(Webhooks.Select(w => w.Url).ToArray());
        if (dropped > 0)
        {
            AlarmLog.WebhookOutboxDropped(_logger, dropped);
        }

        return Task.WhenAll(Webhooks.Select((webhook, i) => Task.Run(() => RunAsync(webhook, _wake[i], stoppingToken), CancellationToken.None)));
    }

    private async Task RunAsync(WebhookConfiguration webhook, SemaphoreSlim wake, CancellationToken stoppingToken)
    {
        var backoff = new Backoff(s_firstRetry, webhook.MaxRetryInterval, new Random());
        bool failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_store.PeekOutbox(webhook.Url) is not { } next)
                {
                    await wake.WaitAsync(stoppingToken).ConfigureAwait(false);
                    continue;
                }

                string? failure = await PostAsync(webhook, next.Body, stoppingToken).ConfigureAwait(false);
                if (failure is null)
                {
                    _store.DeleteOutbox(next.Id);
                    if (failing)
                    {
                        failing = false;
                        backoff.Reset();
                        AlarmLog.WebhookRecovered(_logger, webhook.Url.GetLeftPart(UriPartial.Path));
                    }

                    continue;
                }

                TimeSpan delay = backoff.Next();
                if (!failing)
                {
                    AlarmLog.WebhookFailed(_logger, webhook.Url.GetLeftPart(UriPartial.Path), failure, _store.CountOutbox(webhook.Url), delay.TotalSeconds);
                }

                failing = true;
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                TimeSpan delay = backoff.Next();
                AlarmLog.WebhookBug(_logger, ex, webhook.Url.GetLeftPart(UriPartial.Path), delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>POSTs one alarm; null on a 2xx, else why not.</summary>
    private async Task<string?> PostAsync(WebhookConfiguration webhook, string body, CancellationToken stoppingToken)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Compute(webhook.Secret, bytes));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(webhook.Timeout);
        try
        {
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return $"no answer within {webhook.Timeout.TotalSeconds:0.#}s";
        }
        catch (HttpRequestException ex)
        {
            return ex.HttpRequestError.ToString() + (ex.InnerException is { } inner ? ": " + inner.Message : string.Empty);
        }
    }
}
