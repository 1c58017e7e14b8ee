using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// Operator writes at the OPC UA driver, against node-opcua: the value is converted to exactly the variable's type or
/// refused before the Write, a bad status for the one value is the server's refusal (with its name), and a read-back
/// reads the node's value without a reading for the pipeline.
/// </summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaDriverWriteBackTests
{
    private readonly OpcUaServerFixture _fixture;

    public OpcUaDriverWriteBackTests(OpcUaServerFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task WriteThenReadTag_UInt16_ServerHoldsItAndTheReadBackSaysSo()
    {
        (OpcUaDriver driver, CollectingSink sink) = await ConnectAsync();
        await using OpcUaDriver disposing = driver;

        await driver.WriteAsync("count", TagValue.FromInt64(4711), TestTimeouts.Token());
        TagValue readBack = await driver.ReadTagAsync("count", TestTimeouts.Token());

        Assert.Equal(TagValue.FromInt64(4711), readBack);
        Assert.Empty(sink.All);
    }

    [Fact]
    public async Task Write_ValueTheVariableCannotHold_RefusedAndTheServerKeepsItsValue()
    {
        (OpcUaDriver driver, _) = await ConnectAsync();
        await using OpcUaDriver disposing = driver;
        await driver.WriteAsync("count", TagValue.FromInt64(12), TestTimeouts.Token());

        foreach (TagValue hostile in new[] { TagValue.FromInt64(70000), TagValue.FromString("12"), TagValue.FromDouble(2.5), TagValue.FromDouble(double.NaN), TagValue.FromBoolean(true) })
        {
            TagValueRejectedException refused = await Assert.ThrowsAsync<TagValueRejectedException>(() => driver.WriteAsync("count", hostile, TestTimeouts.Token()).AsTask());
            Assert.Contains("UInt16 variable", refused.Message, StringComparison.Ordinal);
        }

        Assert.Equal(TagValue.FromInt64(12), await driver.ReadTagAsync("count", TestTimeouts.Token()));
    }

    [Fact]
    public async Task Write_ReadOnlyVariable_RefusedByTheServerWithBadNotWritable()
    {
        (OpcUaDriver driver, _) = await ConnectAsync();
        await using OpcUaDriver disposing = driver;

        DeviceTagRefusedException refused = await Assert.ThrowsAsync<DeviceTagRefusedException>(() => driver.WriteAsync("locked", TagValue.FromDouble(1), TestTimeouts.Token()).AsTask());

        Assert.Equal("BadNotWritable", refused.Status);
        Assert.Equal(TagValue.FromDouble(42), await driver.ReadTagAsync("locked", TestTimeouts.Token()));
        DeviceTagRefusedException missing = await Assert.ThrowsAsync<DeviceTagRefusedException>(() => driver.ReadTagAsync("ghost", TestTimeouts.Token()).AsTask());
        Assert.Equal("BadNodeIdUnknown", missing.Status);
    }

    private async Task<(OpcUaDriver Driver, CollectingSink Sink)> ConnectAsync()
    {
        OpcUaDriver driver = OpcUaDriverHarness.Create($$"""
            id: plc
            endpoint: {{_fixture.Server.EndpointUrl}}
            tags:
              - { id: count, node: "ns=1;s=Writable.UInt16", mode: poll }
              - { id: locked, node: "ns=1;s=Writable.ReadOnly", mode: poll }
              - { id: ghost, node: "ns=1;s=No.Such.Node", mode: poll }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());
        return (driver, sink);
    }
}
