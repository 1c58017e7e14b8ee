using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Publish loop details against a real node-opcua server: acknowledgements and keep-alives.</summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaSubscriptionTests
{
    private readonly OpcUaServerFixture _fixture;

    public OpcUaSubscriptionTests(OpcUaServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task Publish_DeliveredMessages_AcknowledgedSoServerDropsThem()
    {
        await using UaClient client = await ConnectAsync();
        var handler = new NullHandler();
        UaSubscription subscription = await client.CreateSubscriptionAsync(
            TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), [new UaMonitoredItemRequest(UaNodeId.FromString(1, "Dynamic.Counter"), 1, 0, 100)], handler, TestTimeouts.Token());
        uint first = await WaitForSequenceAsync(subscription, 1);
        await WaitForSequenceAsync(subscription, first + 6);

        // An acknowledged message leaves the server's retransmission queue (OPC 10000-4 §5.13.1.4).
        UaServiceException error = await Assert.ThrowsAsync<UaServiceException>(() =>
            client.Session!.CallAsync<RepublishResponse>(new RepublishRequest(subscription.SubscriptionId, first), TestTimeouts.Token()));

        Assert.Equal("BadMessageNotAvailable", error.StatusCode.Name);
    }

    [Fact]
    public async Task Subscription_NoChanges_KeepAlivesKeepConnectionUp()
    {
        await using UaClient client = await ConnectAsync();
        var handler = new NullHandler();

        // A constant value: after the initial value only keep-alives come (every 200 ms), and they are not data.
        UaSubscription subscription = await client.CreateSubscriptionAsync(
            TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), [new UaMonitoredItemRequest(UaNodeId.FromString(1, "Scalars.Int32"), 1, 100, 1)], handler, TestTimeouts.Token());
        await WaitForSequenceAsync(subscription, 1);
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        while (subscription.KeepAlivesReceived < 5)
        {
            await Task.Delay(20, timeout.Token); // polling a counter, not synchronising on time
        }

        Assert.Equal(UaClientState.Connected, client.State);
        Assert.Equal(0, client.ReconnectCount);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task DeleteSubscription_ServerNoLongerKnowsIt()
    {
        await using UaClient client = await ConnectAsync();
        UaSubscription subscription = await client.CreateSubscriptionAsync(
            TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), [new UaMonitoredItemRequest(UaNodeId.FromString(1, "Dynamic.Counter"), 1, 0, 10)], new NullHandler(), TestTimeouts.Token());
        await WaitForSequenceAsync(subscription, 1);

        await client.DeleteSubscriptionAsync(subscription, TestTimeouts.Token());

        UaServiceException error = await Assert.ThrowsAsync<UaServiceException>(() =>
            client.Session!.CallAsync<RepublishResponse>(new RepublishRequest(subscription.SubscriptionId, 1), TestTimeouts.Token()));
        Assert.Equal("BadSubscriptionIdInvalid", error.StatusCode.Name);
        Assert.Equal(UaClientState.Connected, client.State);
    }

    private async Task<UaClient> ConnectAsync()
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? endpoint, out _);
        var client = new UaClient(new UaClientOptions { Endpoint = endpoint! }, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());
        return client;
    }

    private static async Task<uint> WaitForSequenceAsync(UaSubscription subscription, uint atLeast)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        while (subscription.LastSequenceNumber < atLeast)
        {
            await Task.Delay(20, timeout.Token); // polling a counter, not synchronising on time
        }

        return subscription.LastSequenceNumber;
    }

    private sealed class NullHandler : IUaDataChangeHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }

        public ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(status.Name);
    }
}
