using System.Text;
using SmartCity.Edge.Gateway.Tests.Buffer;
using SmartCity.Edge.Gateway.Upstream.Sparkplug;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>The pure rules of the session: STATE payloads and timestamps, bdSeq counting and persistence, seq, ids, topics.</summary>
public sealed class SparkplugSessionRulesTests
{
    [Theory]
    [InlineData("{\"online\":true,\"timestamp\":1668114759262}", true, 1668114759262L)]
    [InlineData("{\"timestamp\":5,\"online\":false}", false, 5L)]
    [InlineData(" { \"online\" : true , \"timestamp\" : 0 , \"extra\" : {\"a\":[1,2]} } ", true, 0L)]
    public void HostState_Valid_Parsed(string json, bool online, long timestamp)
    {
        Assert.True(SparkplugHostState.TryParse(Encoding.UTF8.GetBytes(json), out SparkplugHostState state, out string? problem), problem);
        Assert.Equal(new SparkplugHostState(online, timestamp), state);
    }

    [Theory]
    [InlineData("OFFLINE", "Sparkplug 2.2")]
    [InlineData("", "not valid JSON")]
    [InlineData("[true,1]", "not a JSON object")]
    [InlineData("{\"online\":1,\"timestamp\":1}", "'online' is not true or false")]
    [InlineData("{\"online\":true,\"timestamp\":\"1\"}", "'timestamp' is not a whole number")]
    [InlineData("{\"online\":true}", "no 'timestamp'")]
    [InlineData("{\"online\":true,\"timestamp\":1", "not valid JSON")]
    [InlineData("{\"online\":true,\"timestamp\":1}{}", "not valid JSON")]
    public void HostState_Invalid_SaysWhy(string json, string why)
    {
        Assert.False(SparkplugHostState.TryParse(Encoding.UTF8.GetBytes(json), out _, out string? problem));
        Assert.Contains(why, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void HostState_Oversized_Refused()
    {
        byte[] big = Encoding.UTF8.GetBytes("{\"online\":true,\"timestamp\":1,\"x\":\"" + new string('a', 2000) + "\"}");
        Assert.False(SparkplugHostState.TryParse(big, out _, out string? problem));
        Assert.Contains("bytes", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void PrimaryHost_Timestamps_OlderIgnoredEqualAcceptedPerServer()
    {
        var host = new SparkplugPrimaryHost("scada-1");
        Assert.Equal("spBv1.0/STATE/scada-1", host.StateTopic);
        Assert.Equal(SparkplugHostVerdict.Offline, host.Apply(0, new SparkplugHostState(false, 100))); // the first is trusted
        Assert.Equal(SparkplugHostVerdict.Online, host.Apply(0, new SparkplugHostState(true, 200)));
        Assert.Equal(SparkplugHostVerdict.Stale, host.Apply(0, new SparkplugHostState(false, 150)));
        Assert.Equal(SparkplugHostVerdict.Offline, host.Apply(0, new SparkplugHostState(false, 200)));
        Assert.Equal(SparkplugHostVerdict.Online, host.Apply(1, new SparkplugHostState(true, 1))); // another server, its own history
        Assert.False(host.LastOnline(0));
        Assert.True(host.LastOnline(1));
    }

    [Fact]
    public void BdSeqStore_CountsPersistsWrapsAndReleases()
    {
        using var data = new TempDataDirectory();
        var log = new CollectingLogger<SparkplugSessionRulesTests>();
        var store = new SparkplugBdSeqStore(data.Path, log);
        Assert.Null(store.Last);
        Assert.Equal(0, store.Reserve());
        Assert.Equal(1, store.Reserve());
        store.Release(); // the CONNECT with 1 never left
        Assert.Equal(0, new SparkplugBdSeqStore(data.Path, log).Last);
        Assert.Equal(1, store.Reserve());

        File.WriteAllText(Path.Combine(data.Path, SparkplugBdSeqStore.FileName), "254");
        var reloaded = new SparkplugBdSeqStore(data.Path, log);
        Assert.Equal(255, reloaded.Reserve());
        Assert.Equal(0, reloaded.Reserve());
        Assert.Equal("0\n", File.ReadAllText(Path.Combine(data.Path, SparkplugBdSeqStore.FileName)));
        Assert.Empty(Directory.GetFiles(data.Path, "*.tmp"));
        Assert.Empty(log.Entries);
    }

    [Fact]
    public void BdSeqStore_ReadOnlyDirectory_WarnsOnceAndStillCounts()
    {
        using var data = new TempDataDirectory();
        var log = new CollectingLogger<SparkplugSessionRulesTests>();
        string blocked = Path.Combine(data.Path, "file-not-dir");
        File.WriteAllText(blocked, "x"); // a file where the data directory should be: every write fails
        var store = new SparkplugBdSeqStore(blocked, log);
        Assert.Equal(0, store.Reserve());
        Assert.Equal(1, store.Reserve());
        Assert.Single(log.WithEventId(1810));
    }

    [Fact]
    public void Sequence_StartsAtZeroForEveryBirthAndWrapsAfter255()
    {
        var sequence = new SparkplugSequence();
        Assert.Equal(0UL, sequence.StartBirth());
        ulong[] next = Enumerable.Range(0, 300).Select(_ => sequence.Next()).ToArray();
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (ulong)(i % 256)), next);
        Assert.Equal(0UL, sequence.StartBirth());
        Assert.Equal(1UL, sequence.Next());
    }

    [Theory]
    [InlineData("park-a", null)]
    [InlineData("Park A.1_x", null)]
    [InlineData("", "is empty")]
    [InlineData("a/b", "contains '/'")]
    [InlineData("a+", "contains '+'")]
    [InlineData("#", "contains '#'")]
    [InlineData("zone:1", "contains ':'")]
    [InlineData("é", "contains 'é'")]
    [InlineData(" lead", "starts or ends with a space")]
    public void Identifier_Rules(string id, string? problem)
    {
        string? actual = SparkplugIdentifier.Problem(id);
        if (problem is null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.Contains(problem, actual, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Topics_NodeAndDeviceTopicsAndCommandParsing()
    {
        var topics = new SparkplugTopics("park-a", "gw-01");
        Assert.Equal("spBv1.0/park-a/NBIRTH/gw-01", topics.NBirth);
        Assert.Equal("spBv1.0/park-a/NDEATH/gw-01", topics.NDeath);
        Assert.Equal("spBv1.0/park-a/NCMD/gw-01", topics.NCmd);
        Assert.Equal("spBv1.0/park-a/DCMD/gw-01/+", topics.DCmdFilter);
        Assert.Equal("spBv1.0/park-a/DDATA/gw-01/panel-1", topics.DData("panel-1"));
        Assert.Same(topics.DData("panel-1"), topics.DData("panel-1"));
        Assert.Equal("panel-1", topics.DeviceOfCommand("spBv1.0/park-a/DCMD/gw-01/panel-1"));
        Assert.Null(topics.DeviceOfCommand("spBv1.0/park-a/DCMD/gw-01/"));
        Assert.Null(topics.DeviceOfCommand("spBv1.0/park-a/DCMD/gw-01/a/b"));
        Assert.Null(topics.DeviceOfCommand("spBv1.0/park-b/DCMD/gw-01/panel-1"));
    }
}
