using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Tests.Integration;
using SmartCity.Edge.Gateway.Upstream;
using SmartCity.Edge.Tests;
using Xunit;

namespace SmartCity.Edge.Gateway.Tests.Upstream;

/// <summary>
/// The publisher's state machine (<see cref="MqttPublisherState"/>) against real mosquitto brokers: connect, drop,
/// reload to another broker (also in the middle of a connect attempt that would hang) and close.
/// </summary>
public sealed class MqttPublisherStateTests
{
    private static readonly UpstreamTopics s_topics = new("smartcity/state-test/gw");

    [Fact]
    public async Task State_FollowsConnectBrokerStopAndReconnect()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using var publisher = new MqttPublisher(Settings(broker, "gw-state-1"), s_topics, NullLogger.Instance);
        Assert.Equal(MqttPublisherState.Disconnected, publisher.State);

        await publisher.EnsureConnectedAsync(TestTimeouts.Token());
        Assert.Equal(MqttPublisherState.Connected, publisher.State);

        await broker.StopAsync();
        await WaitForStateAsync(publisher, MqttPublisherState.Disconnected);
        await Assert.ThrowsAsync<UpstreamException>(async () => await publisher.EnsureConnectedAsync(TestTimeouts.Token()));
        Assert.Equal(MqttPublisherState.Disconnected, publisher.State);

        await broker.StartProcessAsync();
        await publisher.EnsureConnectedAsync(TestTimeouts.Token());
        Assert.Equal(MqttPublisherState.Connected, publisher.State);
    }

    [Fact]
    public async Task Reconfigure_ToAnotherBroker_SaysOfflineOnTheOldOneAndConnectsOnlyToTheNewOne()
    {
        await using MosquittoBroker oldBroker = await MosquittoBroker.StartAsync();
        await using MosquittoBroker newBroker = await MosquittoBroker.StartAsync();
        await using var publisher = new MqttPublisher(Settings(oldBroker, "gw-state-2"), s_topics, NullLogger.Instance);
        await publisher.EnsureConnectedAsync(TestTimeouts.Token());

        await publisher.ReconfigureAsync(Settings(newBroker, "gw-state-2"), TestTimeouts.Token());
        Assert.Equal(MqttPublisherState.Disconnected, publisher.State);
        Assert.False(publisher.IsConnected);
        Assert.Equal("offline", await RetainedStatusAsync(oldBroker));

        await publisher.EnsureConnectedAsync(TestTimeouts.Token());
        Assert.Equal(MqttPublisherState.Connected, publisher.State);
        Assert.Equal("online", await RetainedStatusAsync(newBroker));
        Assert.Equal("offline", await RetainedStatusAsync(oldBroker));
    }

    [Fact]
    public async Task Reconfigure_DuringAConnectAttemptThatWouldHang_EndsTheAttemptAsSwitchedNotTimedOut()
    {
        // A frozen broker accepts the TCP connection (the kernel does) but never answers CONNECT: the attempt would
        // wait out the whole connect timeout, and the reload waits for the connect gate.
        await using MosquittoBroker frozen = await MosquittoBroker.StartAsync();
        await using MosquittoBroker healthy = await MosquittoBroker.StartAsync();
        await using var publisher = new MqttPublisher(Settings(frozen, "gw-state-3"), s_topics, NullLogger.Instance);
        frozen.Freeze(true);
        try
        {
            Task attempt = publisher.EnsureConnectedAsync(TestTimeouts.Token()).AsTask();
            await WaitForStateAsync(publisher, MqttPublisherState.Connecting);

            await publisher.ReconfigureAsync(Settings(healthy, "gw-state-3"), TestTimeouts.Token());

            UpstreamException failed = await Assert.ThrowsAsync<UpstreamException>(() => attempt);
            Assert.Contains("changed by a reload", failed.Message, StringComparison.Ordinal);
            Assert.Equal(MqttPublisherState.Disconnected, publisher.State);
            await publisher.EnsureConnectedAsync(TestTimeouts.Token());
            Assert.Equal(MqttPublisherState.Connected, publisher.State);
            Assert.Equal("online", await RetainedStatusAsync(healthy));
        }
        finally
        {
            frozen.Freeze(false);
        }
    }

    [Fact]
    public async Task Close_IsFinal_NoConnectOrReloadAfterwards()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using var publisher = new MqttPublisher(Settings(broker, "gw-state-4"), s_topics, NullLogger.Instance);
        await publisher.EnsureConnectedAsync(TestTimeouts.Token());

        await publisher.CloseAsync(TestTimeouts.Token());
        Assert.Equal(MqttPublisherState.Closed, publisher.State);
        Assert.Equal("offline", await RetainedStatusAsync(broker));

        UpstreamException refused = await Assert.ThrowsAsync<UpstreamException>(async () => await publisher.EnsureConnectedAsync(TestTimeouts.Token()));
        Assert.Contains("closed", refused.Message, StringComparison.Ordinal);
        await publisher.ReconfigureAsync(Settings(broker, "gw-state-4b"), TestTimeouts.Token());
        Assert.Equal(MqttPublisherState.Closed, publisher.State);
        Assert.False(publisher.IsConnected);
    }

    private static MqttUpstreamConfiguration Settings(MosquittoBroker broker, string clientId) =>
        new("127.0.0.1", broker.Port, UseTls: false, Tls: null, clientId, Username: null, Password: null, Qos: 1, MaxBatch: 100, AllowPlaintext: true);

    /// <summary>The retained status on the broker, as a new subscriber receives it at once.</summary>
    private static async Task<string> RetainedStatusAsync(MosquittoBroker broker)
    {
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(broker.Port, s_topics.Status);
        List<ReceivedMessage> received = await subscriber.CollectUntilAsync(m => m.Count > 0, TestTimeouts.Passing);
        Assert.True(received[0].Retained);
        return received[0].Payload;
    }

    private static async Task WaitForStateAsync(MqttPublisher publisher, MqttPublisherState expected)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        while (publisher.State != expected)
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"the publisher stayed {publisher.State}, never {expected}");
            }

            await Task.Delay(10);
        }
    }
}
