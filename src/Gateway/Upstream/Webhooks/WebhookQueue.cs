using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Upstream.Webhooks;

/// <summary>
/// One configured webhook's delivery loop: its current settings (a reload may change the secret, timeout or retry
/// interval of a webhook that keeps its URL), the signal that new deliveries were queued, and its own stop. The
/// outbox identifies a webhook by URL, so a queue lives exactly as long as its URL stays configured.
/// </summary>
internal sealed class WebhookQueue : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop;
    private volatile WebhookConfiguration _webhook;
    private volatile CancellationTokenSource _changed = new();
    private int _version;

    public WebhookQueue(WebhookConfiguration webhook, CancellationToken stoppingToken)
    {
        _webhook = webhook;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
    }

    /// <summary>The settings deliveries use now; read once per attempt.</summary>
    public WebhookConfiguration Webhook => _webhook;

    /// <summary>Bumped by every settings change, so the loop starts a fresh backoff.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Cancelled when the settings change: a retry waiting out its backoff goes at once with the new ones.</summary>
    public CancellationToken Changed => _changed.Token;

    /// <summary>Cancelled when the gateway stops or a reload removes the webhook.</summary>
    public CancellationToken Stopping => _stop.Token;

    public Task? Loop { get; set; }

    public string DisplayUrl => _webhook.Url.GetLeftPart(UriPartial.Path);

    public Task WaitForWorkAsync(CancellationToken cancellationToken) => _wake.WaitAsync(cancellationToken);

    /// <summary>New deliveries were queued.</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled by a concurrent Wake.
            }
        }
    }

    public void Update(WebhookConfiguration webhook)
    {
        _webhook = webhook;
        Interlocked.Increment(ref _version);
        CancellationTokenSource previous = _changed;
        _changed = new CancellationTokenSource();
        // Not disposed: the loop may be reading its token right now. It holds no timer or registration to release.
        previous.Cancel();
    }

    public void Stop() => _stop.Cancel();

    public void Dispose()
    {
        _wake.Dispose();
        _stop.Dispose();
        _changed.Dispose();
    }
}
