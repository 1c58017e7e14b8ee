using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;
using SmartCity.Edge.Gateway.Pipeline;

namespace SmartCity.Edge.Gateway.Upstream.Webhooks;

/// <summary>
/// Delivers the webhook outbox (in <c>buffer.db</c>, <see cref="AlarmStateStore"/>): one loop per webhook POSTs its oldest queued alarm, deletes it
/// on a 2xx and otherwise retries the same one with exponential backoff, so each receiver sees its alarms in order
/// and an alarm raised during an outage (or before a restart) arrives when the receiver is back.
/// </summary>
/// <remarks>
/// A reload (<see cref="ReconfigureAsync"/>) matches webhooks by URL, the outbox's key: a webhook whose URL stays
/// keeps its queue and order and uses its new settings from the next attempt on — including the retry of an alarm
/// already queued, signed at send time with the new secret, because a receiver that rotated its secret rejects the
/// old signature and the queue would otherwise never move. A removed URL's loop stops and its queue is dropped and
/// counted in the log (delivering it first could wait forever on a receiver the operator just took out); a new URL
/// gets the transitions committed from then on, not the backlog of the others.
/// </remarks>
internal sealed class WebhookDispatcher : BackgroundService
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromMilliseconds(250);

    private readonly AlarmStateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<Uri, WebhookQueue> _queues = [];
    private volatile IReadOnlyList<WebhookConfiguration> _webhooks;
    private CancellationToken _stopping;
    private bool _started;

    public WebhookDispatcher(GatewayConfiguration configuration, AlarmStateStore store, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        _webhooks = configuration.Webhooks;
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>The webhooks configured now (the alarm service queues each transition for those it matches).</summary>
    public IReadOnlyList<WebhookConfiguration> Webhooks => _webhooks;

    /// <summary>New deliveries were queued.</summary>
    public void Notify()
    {
        lock (_gate)
        {
            foreach (WebhookQueue queue in _queues.Values)
            {
                queue.Wake();
            }
        }
    }

    /// <summary>
    /// Applies a reloaded <c>webhooks:</c> list (see the remarks). Returns once removed webhooks' loops have ended
    /// and their queues are dropped.
    /// </summary>
    public async Task ReconfigureAsync(IReadOnlyList<WebhookConfiguration> webhooks, CancellationToken cancellationToken)
    {
        var removed = new List<WebhookQueue>();
        lock (_gate)
        {
            _webhooks = webhooks;
            foreach ((Uri url, WebhookQueue queue) in _queues.ToArray())
            {
                if (!webhooks.Any(w => w.Url == url))
                {
                    _queues.Remove(url);
                    queue.Stop();
                    removed.Add(queue);
                }
            }

            foreach (WebhookConfiguration webhook in webhooks)
            {
                if (_queues.TryGetValue(webhook.Url, out WebhookQueue? queue))
                {
                    if (!ConfigEquality.DeepEquals(queue.Webhook, webhook))
                    {
                        queue.Update(webhook);
                        AlarmLog.WebhookChanged(_logger, queue.DisplayUrl);
                    }
                }
                else if (_started)
                {
                    Start(webhook);
                    AlarmLog.WebhookAdded(_logger, webhook.Url.GetLeftPart(UriPartial.Path));
                }
            }
        }

        foreach (WebhookQueue queue in removed)
        {
            // A POST in flight is cancelled; the loop ends within moments.
            Task loop = queue.Loop ?? Task.CompletedTask;
            await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (loop.IsCompleted)
            {
                queue.Dispose();
            }
        }

        IReadOnlyList<(string Url, int Dropped)> dropped = await _store.RetargetOutboxAsync(webhooks.Select(w => w.Url).ToArray(), CancellationToken.None).ConfigureAwait(false);
        foreach (WebhookQueue queue in removed)
        {
            int count = dropped.FirstOrDefault(d => d.Url == queue.Webhook.Url.AbsoluteUri).Dropped;
            AlarmLog.WebhookRemoved(_logger, queue.DisplayUrl, count);
        }
    }

    public override void Dispose()
    {
        lock (_gate)
        {
            foreach (WebhookQueue queue in _queues.Values)
            {
                queue.Dispose();
            }

            _queues.Clear();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        int dropped = (await _store.RetargetOutboxAsync(_webhooks.Select(w => w.Url).ToArray(), stoppingToken).ConfigureAwait(false)).Sum(d => d.Dropped);
        if (dropped > 0)
        {
            AlarmLog.WebhookOutboxDropped(_logger, dropped);
        }

        lock (_gate)
        {
            _stopping = stoppingToken;
            _started = true;
            foreach (WebhookConfiguration webhook in _webhooks)
            {
                Start(webhook);
            }
        }

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: every loop is linked to the same token.
        }

        Task[] loops;
        lock (_gate)
        {
            loops = _queues.Values.Select(q => q.Loop ?? Task.CompletedTask).ToArray();
        }

        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    /// <summary>Starts a webhook's loop; under <see cref="_gate"/>.</summary>
    private void Start(WebhookConfiguration webhook)
    {
        var queue = new WebhookQueue(webhook, _stopping);
        _queues.Add(webhook.Url, queue);
        queue.Loop = Task.Run(() => RunAsync(queue), CancellationToken.None);
    }

    private async Task RunAsync(WebhookQueue queue)
    {
        CancellationToken stoppingToken = queue.Stopping;
        int version = queue.Version;
        var backoff = new Backoff(s_firstRetry, queue.Webhook.MaxRetryInterval, new Random());
        bool failing = false;
        WebhookClient client = new(queue.Webhook);
        try
        {
            await DeliverAsync().ConfigureAwait(false);
        }
        finally
        {
            client.Dispose();
        }

        async Task DeliverAsync()
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Read the settings once per attempt: a reload may change them between two.
                WebhookConfiguration webhook = queue.Webhook;
                CancellationToken changed = queue.Changed;
                if (queue.Version != version)
                {
                    version = queue.Version;
                    backoff = new Backoff(s_firstRetry, webhook.MaxRetryInterval, new Random());
                    failing = false;
                }

                if (!ReferenceEquals(client.Webhook, webhook))
                {
                    // New settings (a changed ca_file or client certificate, say) take effect with a fresh connection.
                    client.Dispose();
                    client = new WebhookClient(webhook);
                }

                try
                {
                    if (_store.PeekOutbox(webhook.Url) is not { } next)
                    {
                        await queue.WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
                        continue;
                    }

                    string? failure = await PostAsync(client, next.Body, stoppingToken).ConfigureAwait(false);
                    if (failure is null)
                    {
                        TestKillPoint.Reach(TestKillPoint.WebhookAfterSend);
                        await _store.DeleteOutboxAsync(next.Id, stoppingToken).ConfigureAwait(false);
                        if (failing)
                        {
                            failing = false;
                            backoff.Reset();
                            AlarmLog.WebhookRecovered(_logger, queue.DisplayUrl);
                        }

                        continue;
                    }

                    TimeSpan delay = backoff.Next();
                    if (!failing)
                    {
                        AlarmLog.WebhookFailed(_logger, queue.DisplayUrl, failure, _store.CountOutbox(webhook.Url), delay.TotalSeconds);
                    }

                    failing = true;
                    await RetryDelayAsync(delay, changed, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    TimeSpan delay = backoff.Next();
                    AlarmLog.WebhookBug(_logger, ex, queue.DisplayUrl, delay.TotalSeconds);
                    try
                    {
                        await RetryDelayAsync(delay, changed, stoppingToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }
    }

    /// <summary>Waits out a backoff; cut short when a reload changes the webhook's settings (a corrected secret goes at once).</summary>
    private async Task RetryDelayAsync(TimeSpan delay, CancellationToken changed, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, changed);
        try
        {
            await Task.Delay(delay, _time, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // Settings changed: retry now.
        }
    }

    /// <summary>POSTs one alarm; null on a 2xx, else why not.</summary>
    private Task<string?> PostAsync(WebhookClient client, string body, CancellationToken stoppingToken) =>
        WebhookPost.SendAsync(client, Encoding.UTF8.GetBytes(body), Key(client.Webhook), test: false, stoppingToken);

    /// <summary>The webhook's config path, e.g. <c>webhooks[0]</c>, for messages that tell what to change.</summary>
    private string Key(WebhookConfiguration webhook)
    {
        IReadOnlyList<WebhookConfiguration> webhooks = _webhooks;
        for (int i = 0; i < webhooks.Count; i++)
        {
            if (webhooks[i].Url == webhook.Url)
            {
                return $"webhooks[{i}]";
            }
        }

        return "webhooks[]";
    }
}
