using SmartCity.Edge.Drivers.Snmp;
using SmartCity.Edge.Drivers.Tests.Snmp.Peers;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>The driver against snmpd: tooBig splitting, v1 noSuchName, and the technician's errors for bad credentials.</summary>
public sealed class SnmpDriverSnmpdTests : IClassFixture<SnmpdFixture>
{
    private readonly SnmpdAgent _agent;

    public SnmpDriverSnmpdTests(SnmpdFixture fixture) => _agent = fixture.Agent;

    [Fact]
    public async Task TooBig_SmallAgentMessageSize_SplitsAndKeepsSmallerBatch()
    {
        string text = new('x', 220);
        await using SnmpdAgent small = await SnmpdAgent.StartAsync($"[snmp] sendMessageMaxSize 484\nsysContact {text}\nsysName {text}\nsysServices 72\n");
        await using SnmpDriver driver = SnmpDriverHarness.Create($$"""
            id: small
            driver: snmp
            host: 127.0.0.1
            port: {{small.Port}}
            community: public
            tags:
              - { id: contact, oid: 1.3.6.1.2.1.1.4.0 }
              - { id: name, oid: 1.3.6.1.2.1.1.5.0 }
              - { id: location, oid: 1.3.6.1.2.1.1.6.0 }
              - { id: contact_again, oid: 1.3.6.1.2.1.1.4.0 }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        await driver.PollAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        Dictionary<string, Reading> latest = sink.Latest();
        Assert.Equal(text, latest["contact"].Value.AsString());
        Assert.Equal(text, latest["contact_again"].Value.AsString());
        Assert.Equal(text, latest["name"].Value.AsString());
        Assert.Equal("park 7, room 3", latest["location"].Value.AsString());
        Assert.InRange(driver.Poller!.BatchSize, 1, 2);

        // The next poll asks in the smaller batches at once: no tooBig round trip again.
        sink.Clear();
        long before = driver.Client!.DroppedReplies;
        await driver.PollAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        Assert.Equal(4, sink.All.Count(r => r.Quality == Quality.Good));
        Assert.Equal(before, driver.Client.DroppedReplies);
    }

    [Fact]
    public async Task V1_MissingObjectAndCounter64_OnlyThoseTagsBad()
    {
        await using SnmpDriver driver = SnmpDriverHarness.Create($$"""
            id: v1
            driver: snmp
            host: 127.0.0.1
            port: {{_agent.Port}}
            version: 1
            community: public
            tags:
              - { id: descr, oid: 1.3.6.1.2.1.1.1.0 }
              - { id: missing, oid: 1.3.6.1.2.1.1.99.0 }
              - { id: hc_in, oid: 1.3.6.1.2.1.31.1.1.1.6.1 }
              - { id: location, oid: 1.3.6.1.2.1.1.6.0 }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        await driver.PollAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        Dictionary<string, Reading> latest = sink.Latest();
        Assert.Equal("TestAgent for gateway", latest["descr"].Value.AsString());
        Assert.Equal("park 7, room 3", latest["location"].Value.AsString());
        Assert.Equal((Quality.Bad, "noSuchName (2)"), (latest["missing"].Quality, latest["missing"].Reason));
        Assert.Equal((Quality.Bad, "noSuchName (2)"), (latest["hc_in"].Quality, latest["hc_in"].Reason));
    }

    [Fact]
    public async Task V2c_NoSuchObject_TagBadWithReason()
    {
        await using SnmpDriver driver = SnmpDriverHarness.Create($$"""
            id: v2
            driver: snmp
            host: 127.0.0.1
            port: {{_agent.Port}}
            community: public
            tags:
              - { id: uptime, oid: 1.3.6.1.2.1.1.3.0 }
              - { id: missing, oid: 1.3.6.1.2.1.1.99.0 }
              - { id: if_descr, oid: 1.3.6.1.2.1.2.2.1.2, walk: true }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        await driver.PollAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        Dictionary<string, Reading> latest = sink.Latest();
        Assert.Equal(TagValueKind.UInt64, latest["uptime"].Value.Kind);
        Assert.Equal((Quality.Bad, "noSuchObject"), (latest["missing"].Quality, latest["missing"].Reason));
        Assert.Equal("lo", latest["if_descr.1"].Value.AsString());
    }

    [Theory]
    [InlineData("community: wrong", "no answer", "wrong community or host", "timeout")]
    [InlineData("version: 3\nuser: usha\nauth: { protocol: sha, password: wrongpass123 }\npriv: { protocol: aes, password: privpass123 }", "authentication failed for user 'usha'", "wrong auth password", "auth")]
    [InlineData("version: 3\nuser: nobody\nauth: { protocol: sha, password: authpass123 }", "unknown user 'nobody'", "usmStatsUnknownUserNames", "unknown_user")]
    public async Task Connect_BadCredentials_ClearDeviceException(string credentials, string first, string second, string kind)
    {
        await using SnmpDriver driver = SnmpDriverHarness.Create($$"""
            id: bad
            driver: snmp
            host: 127.0.0.1
            port: {{_agent.Port}}
            timeout: 200ms
            {{credentials}}
            tags:
              - { id: uptime, oid: 1.3.6.1.2.1.1.3.0 }
            """);
        DeviceException ex = await Assert.ThrowsAsync<DeviceException>(() => driver.ConnectAsync(new CollectingSink(driver.Device.Tags), CancellationToken.None).AsTask()).WaitAsync(TestTimeouts.Passing);
        Assert.Contains("SNMP device 'bad' (127.0.0.1:", ex.Message, StringComparison.Ordinal);
        Assert.Contains(first, ex.Message, StringComparison.Ordinal);
        Assert.Contains(second, ex.Message, StringComparison.Ordinal);
        Assert.Equal(kind, ex.Kind);
        Assert.DoesNotContain("pass123", ex.Message, StringComparison.Ordinal);
    }
}
