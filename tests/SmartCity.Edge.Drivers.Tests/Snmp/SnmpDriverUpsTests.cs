using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary><c>profile: ups-mib</c> against snmpsim serving our UPS-MIB recording (tests/peers/snmp/ups.snmprec).</summary>
public sealed class SnmpDriverUpsTests : IClassFixture<SnmpsimFixture>
{
    private readonly SnmpsimFixture _fixture;

    public SnmpDriverUpsTests(SnmpsimFixture fixture) => _fixture = fixture;

    [Fact]
    public async Task UpsProfile_FiveLines_TypedScaledValues()
    {
        await using SnmpDriver driver = SnmpDriverHarness.Create($$"""
            id: ups-1
            driver: snmp
            host: 127.0.0.1
            port: {{_fixture.Agent.Port}}
            community: ups
            profile: ups-mib
            tags:
              - { id: opaque_float, oid: 1.3.6.1.4.1.99999.1.1.0 }
              - { id: counter64_max, oid: 1.3.6.1.4.1.99999.1.2.0 }
              - { id: mac, oid: 1.3.6.1.4.1.99999.1.3.0 }
              - { id: agent_ip, oid: 1.3.6.1.4.1.99999.1.4.0 }
              - { id: missing, oid: 1.3.6.1.4.1.99999.9.0 }
              - { id: sys_object, oid: 1.3.6.1.2.1.1.2.0 }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        await driver.PollAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        Dictionary<string, Reading> latest = sink.All.GroupBy(r => r.TagId).ToDictionary(g => g.Key, g => g.Last());

        Assert.Equal("ACME Power", latest["manufacturer"].Value.AsString());
        Assert.Equal(3, latest["battery_status"].Value.AsInt64());
        Assert.Equal(5, latest["output_source"].Value.AsInt64());
        Assert.Equal(7, latest["minutes_remaining"].Value.AsInt64());
        Assert.Equal(54.5, latest["battery_voltage"].Value.AsDouble(), 6);
        Assert.Equal(49.9, latest["input_frequency"].Value.AsDouble(), 6);
        Assert.Equal(-12, latest["battery_temperature"].Value.AsInt64());
        Assert.Equal(TagValueKind.UInt64, latest["alarms_present"].Value.Kind);
        Assert.Equal(2UL, latest["alarms_present"].Value.AsUInt64());
        Assert.Equal(TagValueKind.UInt64, latest["input_line_bads"].Value.Kind);
        Assert.Equal("onBattery", latest["alarm.1"].Value.AsString());
        Assert.Equal("lowBattery", latest["alarm.3"].Value.AsString());
        Assert.Equal(25.0, latest["opaque_float"].Value.AsDouble());
        Assert.Equal(ulong.MaxValue, latest["counter64_max"].Value.AsUInt64());
        Assert.Equal("00 FF 80", latest["mac"].Value.AsString());
        Assert.Equal("10.0.0.5", latest["agent_ip"].Value.AsString());
        Assert.Equal("1.3.6.1.4.1.99999.1", latest["sys_object"].Value.AsString());

        // snmpsim says noSuchInstance for anything it lacks (snmp-notes §2): that tag alone is bad, with the reason.
        Assert.Equal(Quality.Bad, latest["missing"].Quality);
        Assert.Equal("noSuchInstance", latest["missing"].Reason);
        Assert.All(latest.Values.Where(r => r.TagId != "missing"), r => Assert.Equal(Quality.Good, r.Quality));
    }

    [Fact]
    public async Task RateTag_WrappingCounter32_PerSecondWithoutSpike()
    {
        // ifInOctets.1 grows ~1000/s from 2^32 − 30000 and wraps about 30 s after snmpsim started.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using SnmpDriver driver = SnmpDriverHarness.Create($$"""
            id: sw
            driver: snmp
            host: 127.0.0.1
            port: {{_fixture.Agent.Port}}
            community: ups
            tags:
              - { id: in_rate, oid: 1.3.6.1.2.1.2.2.1.10.1, rate: true }
              - { id: in_raw, oid: 1.3.6.1.2.1.2.2.1.10.1 }
              - { id: gauge_rate, oid: 1.3.6.1.2.1.33.1.6.1.0, rate: true }
            """);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        await driver.PollAsync(CancellationToken.None).AsTask().WaitAsync(TestTimeouts.Passing);
        Reading first = sink.All.Single(r => r.TagId == "in_rate");
        Assert.Equal(Quality.Uncertain, first.Quality);
        Assert.Equal(Quality.Bad, sink.All.Single(r => r.TagId == "gauge_rate").Quality);
        Assert.Contains("needs a Counter32 or Counter64", sink.All.Single(r => r.TagId == "gauge_rate").Reason, StringComparison.Ordinal);
        ulong firstRaw = sink.All.Single(r => r.TagId == "in_raw").Value.AsUInt64();

        // Real seconds pass for snmpsim's counter; the rate is timed on the driver's clock, so measure both alike.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await WaitUntilAsync(async () =>
        {
            sink.Clear();
            await driver.PollAsync(CancellationToken.None);
            return sink.All.Single(r => r.TagId == "in_raw").Value.AsUInt64() < firstRaw;
        }, time, stopwatch);

        Reading rate = sink.All.Single(r => r.TagId == "in_rate");
        Assert.Equal(Quality.Good, rate.Quality);
        Assert.InRange(rate.Value.AsDouble(), 500, 2000);
    }

    /// <summary>Polls every ~2 s (real time, mirrored onto the fake clock) until the counter wrapped.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> poll, Microsoft.Extensions.Time.Testing.FakeTimeProvider time, System.Diagnostics.Stopwatch stopwatch)
    {
        TimeSpan mirrored = TimeSpan.Zero;
        for (int i = 0; i < 60; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            time.Advance(stopwatch.Elapsed - mirrored);
            mirrored = stopwatch.Elapsed;
            if (await poll())
            {
                return;
            }
        }

        throw new TimeoutException("the simulated counter did not wrap within 120 s");
    }
}
