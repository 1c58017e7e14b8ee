using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers.Snmp;
using SmartCity.Edge.Drivers.Tests.Snmp.Peers;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>Our client against Debian's snmpd, compared with what net-snmp's own tools print in the same run.</summary>
public sealed class SnmpClientIntegrationTests : IClassFixture<SnmpdFixture>
{
    private readonly SnmpdAgent _agent;

    public SnmpClientIntegrationTests(SnmpdFixture fixture) => _agent = fixture.Agent;

    [Fact]
    public async Task V2c_Get_StandardValues_EqualSnmpget()
    {
        string[] oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.1.7.0", "1.3.6.1.2.1.2.2.1.2.1", "1.3.6.1.2.1.2.1.0"];
        var (code, stdout, stderr) = await _agent.RunToolAsync("snmpget", ["-v2c", "-c", "public"], oids);
        Assert.True(code == 0, stderr);
        var expected = SnmpTool.ParseLines(stdout);

        using SnmpClient client = V2c();
        SnmpPdu reply = await client.GetAsync(oids.Select(SnmpOid.Parse).ToList(), CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        Assert.Equal(0, reply.ErrorStatus);
        Assert.Equal(expected, reply.VarBinds.Select(v => (v.Oid.ToString(), v.Value.ToString())).ToList());
        Assert.Equal("TestAgent for gateway", reply.VarBinds[0].Value.ValueText());
    }

    [Fact]
    public async Task V2c_CountersAndTicks_TypedAndNotBehindSnmpget()
    {
        string[] oids = ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.2.2.1.10.1"];
        var (_, stdout, _) = await _agent.RunToolAsync("snmpget", ["-v2c", "-c", "public"], oids);
        var theirs = SnmpTool.ParseLines(stdout);
        using SnmpClient client = V2c();
        SnmpPdu reply = await client.GetAsync(oids.Select(SnmpOid.Parse).ToList(), CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        Assert.Equal(SnmpType.TimeTicks, reply.VarBinds[0].Value.Type);
        Assert.Equal(SnmpType.Counter32, reply.VarBinds[1].Value.Type);
        Assert.StartsWith("Timeticks: ", theirs[0].Value, StringComparison.Ordinal);
        Assert.True(reply.VarBinds[0].Value.AsUInt64() >= ulong.Parse(theirs[0].Value.Split('(', ')')[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(reply.VarBinds[1].Value.AsUInt64() >= ulong.Parse(theirs[1].Value["Counter32: ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(200)]
    public async Task V2c_Walk_Interfaces_EqualsSnmpbulkwalk(int maxRepetitions)
    {
        var (code, stdout, stderr) = await _agent.RunToolAsync("snmpbulkwalk", ["-v2c", "-c", "public", "-Cr" + maxRepetitions], "1.3.6.1.2.1.2.2.1.2");
        Assert.True(code == 0, stderr);
        using SnmpClient client = V2c();
        IReadOnlyList<SnmpVarBind> rows = await client.WalkAsync(SnmpOid.Parse("1.3.6.1.2.1.2.2.1.2"), maxRepetitions, 10_000, CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        Assert.NotEmpty(rows);
        Assert.Equal(SnmpTool.ParseLines(stdout), rows.Select(v => (v.Oid.ToString(), v.Value.ToString())).ToList());
    }

    [Fact]
    public async Task V1_Walk_System_EqualsSnmpwalk_WithoutUptime()
    {
        var (_, stdout, _) = await _agent.RunToolAsync("snmpwalk", ["-v1", "-c", "public"], "1.3.6.1.2.1.1");
        using SnmpClient client = Client(SnmpVersion.V1, "public");
        IReadOnlyList<SnmpVarBind> rows = await client.WalkAsync(SnmpOid.Parse("1.3.6.1.2.1.1"), 10, 10_000, CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        static bool Stable((string Oid, string Value) line) => !line.Oid.StartsWith("1.3.6.1.2.1.1.3", StringComparison.Ordinal) && !line.Oid.StartsWith("1.3.6.1.2.1.1.9.1.4", StringComparison.Ordinal);
        Assert.Equal(
            SnmpTool.ParseLines(stdout).Where(Stable).ToList(),
            rows.Select(v => (v.Oid.ToString(), v.Value.ToString())).Where(Stable).ToList());
    }

    [Fact]
    public async Task V2c_MissingObjects_ExceptionValuesNotErrors()
    {
        using SnmpClient client = V2c();
        SnmpPdu reply = await client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.99.0"), SnmpOid.Parse("1.3.6.1.2.1.1.1.5")], CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        Assert.Equal(0, reply.ErrorStatus);
        Assert.Equal(SnmpType.NoSuchObject, reply.VarBinds[0].Value.Type);
        Assert.Equal(SnmpType.NoSuchInstance, reply.VarBinds[1].Value.Type);

        SnmpPdu end = await client.GetNextAsync([SnmpOid.Parse("2.999")], CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        Assert.Equal(SnmpType.EndOfMibView, end.VarBinds[0].Value.Type);
    }

    [Fact]
    public async Task V1_MissingObject_NoSuchNameWithIndex()
    {
        using SnmpClient client = Client(SnmpVersion.V1, "public");
        SnmpPdu reply = await client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0"), SnmpOid.Parse("1.3.6.1.2.1.1.99.0")], CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        Assert.Equal((int)SnmpErrorStatus.NoSuchName, reply.ErrorStatus);
        Assert.Equal(2, reply.ErrorIndex);
    }

    [Fact]
    public async Task V2c_WrongCommunity_TimesOutNamingCommunity()
    {
        using SnmpClient client = Client(SnmpVersion.V2c, "wrong-community", timeout: TimeSpan.FromMilliseconds(300), retries: 1);
        SnmpException ex = await Assert.ThrowsAsync<SnmpException>(() => client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0")], CancellationToken.None)).WaitAsync(TestTimeouts.Passing);
        Assert.Equal("timeout", ex.Kind);
        Assert.Contains("no answer", ex.Message, StringComparison.Ordinal);
        Assert.Contains("wrong community or host", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 tries", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("usha", SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes128, "-a SHA -x AES")]
    [InlineData("usha224", SnmpAuthProtocol.Sha224, SnmpPrivProtocol.Aes128, "-a SHA-224 -x AES")]
    [InlineData("usha256", SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Aes128, "-a SHA-256 -x AES")]
    [InlineData("usha512", SnmpAuthProtocol.Sha512, SnmpPrivProtocol.Aes128, "-a SHA-512 -x AES")]
    [InlineData("umd5des", SnmpAuthProtocol.Md5, SnmpPrivProtocol.Des, "-a MD5 -x DES")]
    [InlineData("uauth", SnmpAuthProtocol.Sha1, SnmpPrivProtocol.None, "-a SHA")]
    public async Task V3_Get_EveryProtocol_EqualsSnmpget_OneDiscovery(string user, SnmpAuthProtocol auth, SnmpPrivProtocol priv, string flags)
    {
        string level = priv == SnmpPrivProtocol.None ? "authNoPriv" : "authPriv";
        string[] options = ["-v3", "-u", user, "-l", level, .. flags.Split(' '), "-A", "authpass123", .. priv == SnmpPrivProtocol.None ? Array.Empty<string>() : ["-X", "privpass123"]];
        string[] oids = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.6.3.10.2.1.1.0"];
        var (code, stdout, stderr) = await _agent.RunToolAsync("snmpget", options, oids);
        Assert.True(code == 0, stderr);

        using SnmpClient client = V3(new UsmUser(user, auth, "authpass123", priv, priv == SnmpPrivProtocol.None ? null : "privpass123"));
        for (int i = 0; i < 3; i++)
        {
            SnmpPdu reply = await client.GetAsync(oids.Select(SnmpOid.Parse).ToList(), CancellationToken.None).WaitAsync(TestTimeouts.Passing);
            Assert.Equal(SnmpTool.ParseLines(stdout), reply.VarBinds.Select(v => (v.Oid.ToString(), v.Value.ToString())).ToList());
        }

        Assert.Equal(1, client.Discoveries);
        Assert.Equal(SnmpdAgent.EngineIdHex, Convert.ToHexString(client.Engine!.EngineId));
    }

    [Fact]
    public async Task V3_Walk_EqualsSnmpbulkwalk()
    {
        var (_, stdout, _) = await _agent.RunToolAsync("snmpbulkwalk", ["-v3", "-u", "usha256", "-l", "authPriv", "-a", "SHA-256", "-A", "authpass123", "-x", "AES", "-X", "privpass123"], "1.3.6.1.2.1.2.2.1.2");
        using SnmpClient client = V3(new UsmUser("usha256", SnmpAuthProtocol.Sha256, "authpass123", SnmpPrivProtocol.Aes128, "privpass123"));
        IReadOnlyList<SnmpVarBind> rows = await client.WalkAsync(SnmpOid.Parse("1.3.6.1.2.1.2.2.1.2"), 10, 1000, CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        Assert.Equal(SnmpTool.ParseLines(stdout), rows.Select(v => (v.Oid.ToString(), v.Value.ToString())).ToList());
    }

    [Fact]
    public async Task V3_WrongAuthPassword_WrongDigestsError()
    {
        using SnmpClient client = V3(new UsmUser("usha", SnmpAuthProtocol.Sha1, "not-the-password", SnmpPrivProtocol.Aes128, "privpass123"));
        SnmpException ex = await Assert.ThrowsAsync<SnmpException>(() => client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0")], CancellationToken.None)).WaitAsync(TestTimeouts.Passing);
        Assert.Equal("auth", ex.Kind);
        Assert.Contains("authentication failed for user 'usha'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, client.Retransmissions);
    }

    [Fact]
    public async Task V3_UnknownUser_UnknownUserNamesError()
    {
        using SnmpClient client = V3(new UsmUser("nobody", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123"));
        SnmpException ex = await Assert.ThrowsAsync<SnmpException>(() => client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0")], CancellationToken.None)).WaitAsync(TestTimeouts.Passing);
        Assert.Equal("unknown_user", ex.Kind);
        Assert.Contains("unknown user 'nobody'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V3_AuthPrivForAuthOnlyUser_SecurityLevelError()
    {
        using SnmpClient client = V3(new UsmUser("uauth", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123"));
        SnmpException ex = await Assert.ThrowsAsync<SnmpException>(() => client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0")], CancellationToken.None)).WaitAsync(TestTimeouts.Passing);
        Assert.Equal("security_level", ex.Kind);
    }

    [Fact]
    public async Task V3_WrongPrivPassword_TimesOutNamingPriv()
    {
        using SnmpClient client = V3(new UsmUser("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "wrong-priv-pass"), TimeSpan.FromMilliseconds(300));
        SnmpException ex = await Assert.ThrowsAsync<SnmpException>(() => client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0")], CancellationToken.None)).WaitAsync(TestTimeouts.Passing);
        Assert.Equal("timeout", ex.Kind);
        Assert.Contains("priv password", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V3_NoAuthForPrivUser_AuthorizationError()
    {
        var options = new SnmpClientOptions
        {
            Agent = _agent.EndPoint,
            Version = SnmpVersion.V3,
            User = new UsmUser("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123"),
            SecurityLevel = SnmpSecurityLevel.NoAuthNoPriv,
        };
        using var client = new SnmpClient(options, TimeProvider.System);
        SnmpPdu reply = await client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0")], CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        var ex = Assert.Throws<SnmpErrorStatusException>(() => SnmpClient.ThrowOnError(reply, [SnmpOid.Parse("1.3.6.1.2.1.1.1.0")]));
        Assert.Equal(SnmpErrorStatus.AuthorizationError, ex.Status);
        Assert.Contains("authorizationError (16)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V3_EngineTimeDrifted_ResynchronisesFromAuthenticatedReport()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new SnmpClientOptions
        {
            Agent = _agent.EndPoint,
            Version = SnmpVersion.V3,
            User = new UsmUser("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123"),
            Timeout = TimeSpan.FromSeconds(5),
        };
        using var client = new SnmpClient(options, time);
        await client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0")], CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        int before = client.Engine!.LatestTime;

        // Our estimate of the agent's clock jumps 400 s ahead: the agent answers NotInTimeWindows with its true time.
        time.Advance(TimeSpan.FromSeconds(400));
        SnmpPdu reply = await client.GetAsync([SnmpOid.Parse("1.3.6.1.2.1.1.1.0")], CancellationToken.None).WaitAsync(TestTimeouts.Passing);
        Assert.Equal("TestAgent for gateway", reply.VarBinds[0].Value.ValueText());
        Assert.InRange(client.Engine.LatestTime, before, before + 60);
        Assert.Equal(1, client.Discoveries);
    }

    private SnmpClient V2c() => Client(SnmpVersion.V2c, "public");

    private SnmpClient Client(SnmpVersion version, string community, TimeSpan? timeout = null, int retries = 1) =>
        new(new SnmpClientOptions { Agent = _agent.EndPoint, Version = version, Community = community, Timeout = timeout ?? TimeSpan.FromSeconds(5), Retries = retries }, TimeProvider.System);

    private SnmpClient V3(UsmUser user, TimeSpan? timeout = null) =>
        new(new SnmpClientOptions { Agent = _agent.EndPoint, Version = SnmpVersion.V3, User = user, Timeout = timeout ?? TimeSpan.FromSeconds(5) }, TimeProvider.System);
}
