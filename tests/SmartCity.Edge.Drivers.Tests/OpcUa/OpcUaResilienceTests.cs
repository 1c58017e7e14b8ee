using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Reconnect behaviour against a real node-opcua server of its own (it gets killed and stalled).</summary>
public sealed class OpcUaResilienceTests : IAsyncLifetime
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;
    private NodeOpcUaServer? _server;

    public OpcUaResilienceTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private NodeOpcUaServer Server => _server!;

    public async Task InitializeAsync() => _server = await NodeOpcUaServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task ServerKilledAndRestarted_DriverReconnectsByItself_TagsComeBackGood()
    {
        await using OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{Server.EndpointUrl}}
            publishing_interval: 100ms
            tags:
              - { id: counter, node: "ns=1;s=Dynamic.Counter", sampling_interval: 50ms }
              - { id: fixed, node: "ns=1;s=Scalars.Int32", mode: poll }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());
        List<Reading> before = await sink.CollectAsync("counter", 3);

        await Server.KillAsync();
        await WaitUntilAsync(() => driver.Client!.State == UaClientState.Reconnecting);
        await driver.PollAsync(TestTimeouts.Token());
        Reading down = await sink.WaitForAsync(r => r.TagId == "fixed");
        Reading counterDown = sink.All.Last(r => r.TagId == "counter");
        await Server.RestartAsync();
        DateTimeOffset restarted = DateTimeOffset.UtcNow;

        // A source timestamp after the restart proves it is the new server's data.
        Reading after = await sink.WaitForAsync(r => r.TagId == "counter" && r.Quality == Quality.Good && r.SourceTimestamp >= restarted);
        await WaitUntilAsync(() => driver.Client!.State == UaClientState.Connected);
        await driver.PollAsync(TestTimeouts.Token());
        Reading up = await sink.WaitForAsync(r => r.TagId == "fixed");

        Assert.Equal((Quality.Bad, "BadNotConnected"), (down.Quality, down.Reason));
        Assert.Equal((Quality.Bad, "BadNotConnected"), (counterDown.Quality, counterDown.Reason));
        Assert.Equal(Quality.Good, after.Quality);
        Assert.Equal((Quality.Good, -2000000000L), (up.Quality, up.Value.AsInt64()));
        Assert.True(driver.Client!.ReconnectCount >= 1);
    }

    [Fact]
    public async Task NetworkStallShorterThanSessionTimeout_NoDataChangeLost()
    {
        await using var proxy = new StallingTcpProxy(Server.Port);
        UaEndpointUrl.TryParse($"opc.tcp://127.0.0.1:{proxy.Port}", out UaEndpointUrl? endpoint, out _);
        var options = new UaClientOptions { Endpoint = endpoint!, RequestTimeout = TimeSpan.FromSeconds(2), SessionTimeout = TimeSpan.FromSeconds(60) };
        await using var client = new UaClient(options, TimeProvider.System, new TestOutputLogger(_output));
        await client.ConnectAsync(TestTimeouts.Token());
        var handler = new CounterHandler();

        // Every change of the counter (sampling 0 = each change), queued generously on the server.
        UaSubscription subscription = await client.CreateSubscriptionAsync(
            TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300), [new UaMonitoredItemRequest(UaNodeId.FromString(1, "Dynamic.Counter"), 7, 0, 1000)], handler, TestTimeouts.Token());
        await handler.WaitForCountAsync(5);

        proxy.Stall();
        await WaitUntilAsync(() => client.State == UaClientState.Reconnecting);
        int seenAtStall = handler.Count;
        await Task.Delay(TimeSpan.FromSeconds(1)); // the outage itself: time passing is what is being tested
        proxy.Resume();
        await WaitUntilAsync(() => client.State == UaClientState.Connected);
        await handler.WaitForCountAsync(seenAtStall + 40);

        // No change lost: every counter value from the first to the last arrived, in order. Delivery is
        // at-least-once: a value the server re-queued when its response could not be sent may come twice.
        long[] values = handler.Values;
        long[] expected = Enumerable.Range(0, (int)(values[^1] - values[0] + 1)).Select(i => values[0] + i).ToArray();
        _output.WriteLine($"values {values[0]}..{values[^1]} ({values.Length}), republished {subscription.RepublishedCount}");
        Assert.Equal(expected, values.Distinct());
        Assert.Equal(values.Order(), values);
        Assert.True(client.ReconnectCount >= 1);
        Assert.True(subscription.RepublishedCount >= 1, "the notifications sent into the stalled link were recovered by Republish");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token); // polling a state flag, not synchronising on time
        }
    }

    private sealed class CounterHandler : IUaDataChangeHandler
    {
        private readonly List<long> _values = [];
        private readonly SemaphoreSlim _changed = new(0);

        public int Count
        {
            get
            {
                lock (_values)
                {
                    return _values.Count;
                }
            }
        }

        public long[] Values
        {
            get
            {
                lock (_values)
                {
                    return [.. _values];
                }
            }
        }

        public ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken)
        {
            lock (_values)
            {
                _values.Add(Convert.ToInt64(value.Value.Value, System.Globalization.CultureInfo.InvariantCulture));
            }

            _changed.Release();
            return ValueTask.CompletedTask;
        }

        public ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("item failed: " + status);

        public async Task WaitForCountAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
            while (Count < count)
            {
                await _changed.WaitAsync(timeout.Token);
            }
        }
    }
}
