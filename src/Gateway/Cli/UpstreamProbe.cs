using SmartCity.Edge.Gateway.Upstream.Json;
using System.Buffers;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Pipeline;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Gateway.Upstream.Webhooks;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// The upstream half of <c>smartcity-edge test</c>: connects to the broker with the configured address, TLS files and
/// credentials and subscribes to the command topics, as the service would; posts one signed test delivery to each
/// webhook. Publishes nothing to the broker. The broker sees client id <c>{client_id}-test</c> with a clean session, so
/// a running gateway's connection and its session (with commands queued for it) are left alone.
/// </summary>
internal sealed class UpstreamProbe
{
    /// <summary>The alarm id of the test delivery; receivers that do not look at <c>test</c> see an info alarm cleared.</summary>
    public const string TestAlarmId = "smartcity-edge-test";

    private readonly GatewayConfiguration _configuration;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public UpstreamProbe(GatewayConfiguration configuration, TimeProvider time, TimeSpan timeout)
    {
        _configuration = configuration;
        _time = time;
        _timeout = timeout;
    }

    public static string TestClientId(MqttUpstreamConfiguration mqtt) => mqtt.ClientId + "-test";

    /// <summary>Runs every check concurrently; one result per broker and webhook, in configuration order.</summary>
    public async Task<IReadOnlyList<UpstreamCheck>> RunAsync(CancellationToken cancellationToken)
    {
        var checks = new List<Task<UpstreamCheck>>();
        if (_configuration.Upstream.Mqtt is { } mqtt)
        {
            checks.Add(CheckBrokerAsync(mqtt, cancellationToken));
        }

        for (int i = 0; i < _configuration.Webhooks.Count; i++)
        {
            checks.Add(CheckWebhookAsync(_configuration.Webhooks[i], $"webhooks[{i}]", cancellationToken));
        }

        return await Task.WhenAll(checks).ConfigureAwait(false);
    }

    private async Task<UpstreamCheck> CheckBrokerAsync(MqttUpstreamConfiguration mqtt, CancellationToken cancellationToken)
    {
        string target = $"{(mqtt.UseTls ? "mqtts" : "mqtt")}://{mqtt.Host}:{mqtt.Port}";
        string name = $"mqtt {mqtt.Host}:{mqtt.Port}";
        var topics = new UpstreamTopics(_configuration.Upstream.TopicPrefix);
        string? certificateProblem = null;
        MqttClientOptions options = MqttConnectionOptions.Create(mqtt, TestClientId(mqtt), cleanSession: true, willTopic: null, e =>
        {
            certificateProblem = MqttFailureText.CertificateProblem(e.SslPolicyErrors, e.Chain, mqtt);
            return certificateProblem is null;
        });
        // --timeout is the bound here, as for the devices (the service's own connect timeout is not): a technician who
        // gives a slow link more time gets it, and a loaded machine's TLS start-up does not read as "no answer".
        options.Timeout = _timeout;
        long started = _time.GetTimestamp();
        using IMqttClient client = new MqttClientFactory().CreateMqttClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            MqttClientConnectResult connected = await client.ConnectAsync(options, timeout.Token).ConfigureAwait(false);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                return Failed(MqttFailureText.Refused(connected.ResultCode, connected.ReasonString, name));
            }

            MqttClientSubscribeOptionsBuilder subscription = new();
            foreach (string topic in topics.CommandTopics)
            {
                subscription.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            MqttClientSubscribeResult subscribed = await client.SubscribeAsync(subscription.Build(), timeout.Token).ConfigureAwait(false);
            TimeSpan elapsed = _time.GetElapsedTime(started);
            string user = mqtt.Username is { } u ? $"user {u}" : "no user name";
            string[] refused = subscribed.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2).Select(i => $"{i.TopicFilter.Topic} ({i.ResultCode})").ToArray();
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return refused.Length > 0
                ? new UpstreamCheck("mqtt", target, false, $"upstream.mqtt.username: connected ({user}), but the broker refused the subscription to {string.Join(", ", refused)}: its ACL must let this user read the command topics (docs/upstream.md, broker ACL)", elapsed)
                : new UpstreamCheck("mqtt", target, true, $"connected ({user}, client id {TestClientId(mqtt)}), subscribed to {string.Join(", ", topics.CommandTopics)}", elapsed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return Failed(MqttFailureText.Describe(ex, mqtt, name, certificateProblem, _timeout));
        }

        UpstreamCheck Failed(string detail) => new("mqtt", target, false, detail, _time.GetElapsedTime(started));
    }

    private async Task<UpstreamCheck> CheckWebhookAsync(WebhookConfiguration webhook, string key, CancellationToken cancellationToken)
    {
        string target = webhook.Url.GetLeftPart(UriPartial.Path);
        using var client = new WebhookClient(webhook);
        long started = _time.GetTimestamp();
        string? failure = await WebhookPost.SendAsync(client, TestDelivery(), key, test: true, cancellationToken).ConfigureAwait(false);
        TimeSpan elapsed = _time.GetElapsedTime(started);
        return failure is null
            ? new UpstreamCheck("webhook", target, true, $"test delivery accepted ({key}, signed with its secret; header {WebhookPost.TestHeaderName}: 1)", elapsed)
            : new UpstreamCheck("webhook", target, false, $"{key}: test delivery failed: {failure}", elapsed);
    }

    /// <summary>
    /// The body of the test delivery: shaped like an alarm transition (docs/alarms.md) so a receiver's parser takes it,
    /// with <c>"test": true</c> and an info alarm that is <c>cleared</c>, so one that ignores the marker raises nothing.
    /// </summary>
    private byte[] TestDelivery()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("gateway"u8, _configuration.Gateway.Id);
            json.WriteBoolean("test"u8, true);
            json.WriteString("alarm"u8, TestAlarmId);
            json.WriteString("state"u8, "cleared");
            json.WriteString("severity"u8, "info");
            json.WriteString("device"u8, _configuration.Gateway.Id);
            json.WriteNull("tag"u8);
            json.WriteNull("value"u8);
            json.WriteString("message"u8, "Test delivery from smartcity-edge test: ignore it (\"test\": true)");
            JsonContract.WriteTimestamp(json, "ts"u8, _time.GetUtcNow());
            json.WriteString("previous"u8, "cleared");
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
