using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// The deprecated Basic128Rsa15 policy (RSA PKCS#1 v1.5 encryption, RSA-SHA1 signatures, AES-128-CBC, HMAC-SHA1,
/// P_SHA1, 16-byte keys and nonces) against a real node-opcua server that offers it
/// (<see cref="OpcUaLegacyRsa15ServerFixture"/>): only with <c>allow_deprecated</c>, never chosen by <c>auto</c>.
/// </summary>
public sealed class OpcUaBasic128Rsa15Tests : IClassFixture<OpcUaLegacyRsa15ServerFixture>, IDisposable
{
    private const string ApplicationUri = "urn:smartcity-edge:test";
    private const string Policy = "Basic128Rsa15";
    private readonly OpcUaLegacyRsa15ServerFixture _fixture;
    private readonly string _pki = Path.Combine(Path.GetTempPath(), "smartcity-edge-test-pki-" + Guid.NewGuid().ToString("N"));

    public OpcUaBasic128Rsa15Tests(OpcUaLegacyRsa15ServerFixture fixture) => _fixture = fixture;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_pki, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Theory]
    [InlineData(UaMessageSecurityMode.Sign)]
    [InlineData(UaMessageSecurityMode.SignAndEncrypt)]
    public async Task Basic128Rsa15_Allowed_ReadAndSubscriptionWork(UaMessageSecurityMode mode)
    {
        UaClientOptions options = await SecureOptionsAsync(Policy, mode, allowDeprecated: true);
        await using var client = new UaClient(options, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());

        Assert.Equal(UaSecurityAlgorithms.Basic128Rsa15.Uri, client.Session!.Channel.Policy.PolicyUri);
        Assert.Equal(mode, client.Session.Channel.Policy.SecurityMode);
        UaDataValue[] values = await client.Session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Double"))], TestTimeouts.Token());
        Assert.Equal(3.14159, values[0].Value.Value);

        var handler = new CollectingHandler();
        await client.CreateSubscriptionAsync(
            TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), [new UaMonitoredItemRequest(UaNodeId.FromString(1, "Dynamic.Counter"), 1, 0, 10)], handler, TestTimeouts.Token());
        await handler.WaitForAsync(5);
        Assert.All(handler.Values, v => Assert.IsType<int>(v));
    }

    [Theory]
    [InlineData(UaMessageSecurityMode.Sign)]
    [InlineData(UaMessageSecurityMode.SignAndEncrypt)]
    public async Task Basic128Rsa15_LargeMessages_SplitIntoChunksBothWays(UaMessageSecurityMode mode)
    {
        // 8 KiB chunks (the smallest the RSA policies allow) through a proxy that counts the intermediate chunks on
        // the wire: each chunk is secured on its own with the 20-byte HMAC-SHA1 (and AES-128 padding when encrypted).
        await using var proxy = new UaChunkCountingProxy(_fixture.Server.Port);
        UaClientOptions options = await SecureOptionsAsync(Policy, mode, allowDeprecated: true);
        UaEndpointUrl.TryParse($"opc.tcp://127.0.0.1:{proxy.Port}", out UaEndpointUrl? viaProxy, out _);
        options = options with
        {
            Endpoint = viaProxy!,
            Channel = UaSecureChannelOptions.Default with { Limits = new UaTransportLimits(8192, 8192, 16 * 1024 * 1024, 4096) },
        };
        await using var client = new UaClient(options, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());

        UaReadValueId[] bench = Enumerable.Range(0, 1000).Select(i => new UaReadValueId(UaNodeId.FromString(1, $"Bench.N{i:0000}"))).ToArray();
        UaDataValue[] values = await client.Session!.ReadAsync(bench, TestTimeouts.Token());
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (object?)(double)i), values.Select(v => v.Value.Value));

        // 1,000 references (each names its node "Bench.Nxxxx": well over 8 KiB) come back in one Browse response.
        UaReferenceDescription[] references = await client.Session.BrowseAsync(UaNodeId.FromString(1, "Bench"), TestTimeouts.Token());
        Assert.Equal(1000, references.Count(r => r.BrowseName.Name?.StartsWith('N') == true));
        Assert.True(proxy.IntermediateChunksFromServer > 0, "no response was split into chunks");

        // 1,000 monitored items: a CreateMonitoredItems request (~56 bytes an item) larger than one chunk, and their
        // initial values in large Publish responses.
        var handler = new CollectingHandler();
        UaMonitoredItemRequest[] items = bench.Select((node, i) => new UaMonitoredItemRequest(node.NodeId, (uint)i, 100, 1)).ToArray();
        await client.CreateSubscriptionAsync(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), items, handler, TestTimeouts.Token());
        await handler.WaitForAsync(1000);
        Assert.True(proxy.IntermediateChunksFromClient > 0, "no request was split into chunks");
        Assert.Equal(Enumerable.Range(0, 1000).Sum(i => (double)i), handler.Values.Take(1000).Sum(v => (double)v!));
    }

    [Fact]
    public async Task Basic128Rsa15_UserName_PasswordRsa15EncryptedAcceptedAndWrongPasswordDenied()
    {
        // node-opcua leaves the secured endpoints' UserName policy without a security policy: the password is then
        // encrypted with the channel's policy, here RSA PKCS#1 v1.5 (http://www.w3.org/2001/04/xmlenc#rsa-1_5).
        UaEndpointDescription endpoint = await EndpointAsync(Policy, UaMessageSecurityMode.SignAndEncrypt);
        UaUserTokenPolicy userName = Assert.Single(endpoint.UserIdentityTokens, t => t.TokenType == UaUserTokenType.UserName);
        Assert.True(string.IsNullOrEmpty(userName.SecurityPolicyUri), $"user token policy names {userName.SecurityPolicyUri}");

        UaClientOptions options = await SecureOptionsAsync(Policy, UaMessageSecurityMode.SignAndEncrypt, allowDeprecated: true);
        await using (UaSession session = await UaSession.CreateAsync(options with { UserName = "technician", Password = "s3cret" }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()))
        {
            Assert.Equal(UaSecurityAlgorithms.Basic128Rsa15.Uri, session.Channel.Policy.PolicyUri);
            UaDataValue[] values = await session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Double"))], TestTimeouts.Token());
            Assert.Equal(3.14159, values[0].Value.Value);
            await session.CloseAsync(TestTimeouts.Token());
        }

        // The server really decrypted and compared the password: a wrong one is denied.
        UaServiceException denied = await Assert.ThrowsAsync<UaServiceException>(() =>
            UaSession.CreateAsync(options with { UserName = "technician", Password = "wrong" }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));
        Assert.Equal("BadUserAccessDenied", denied.StatusCode.Name);
    }

    [Fact]
    public async Task Driver_Basic128Rsa15AllowedWithUserName_PollsAndSubscribes()
    {
        string yaml = $$"""
            id: old-plc
            endpoint: {{_fixture.Server.EndpointUrl}}
            security: { policy: Basic128Rsa15, mode: SignAndEncrypt, allow_deprecated: true, trust_on_first_use: true, check_hostname: false, application_uri: "{{ApplicationUri}}" }
            auth: { username: technician, password: "${OPCUA_PASSWORD}" }
            tags:
              - { id: temp, node: "ns=1;s=Scalars.Double", mode: poll }
              - { id: count, node: "ns=1;s=Dynamic.Counter" }
            """;
        await using OpcUaDriver driver = OpcUaDriverHarness.Create(yaml, _pki);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());

        Assert.Equal(UaSecurityAlgorithms.Basic128Rsa15.Uri, driver.Client!.Session!.Channel.Policy.PolicyUri);
        await driver.PollAsync(TestTimeouts.Token());
        Reading temp = await sink.WaitForAsync(r => r.TagId == "temp");
        Assert.Equal((Quality.Good, 3.14159), (temp.Quality, temp.Value.AsDouble()));
        await sink.CollectAsync("count", 3);
    }

    [Fact]
    public async Task Basic128Rsa15_NotAllowed_ExplicitPolicyRefusedWithClearError()
    {
        // In the YAML: refused while reading the configuration, before any connection.
        var (_, settings, problems) = OpcUaDriverHarness.Read($"endpoint: {_fixture.Server.EndpointUrl}\nsecurity: {{ policy: Basic128Rsa15 }}\ntags: []");
        Assert.Null(settings);
        ConfigProblem problem = Assert.Single(problems.All);
        Assert.EndsWith("security.policy", problem.Path, StringComparison.Ordinal);
        Assert.Contains("Basic128Rsa15 is deprecated", problem.Message, StringComparison.Ordinal);
        Assert.Contains("allow_deprecated: true", problem.Message, StringComparison.Ordinal);

        // In the client: the server offers it, yet it is not chosen, and the error says why.
        UaClientOptions options = await SecureOptionsAsync(Policy, UaMessageSecurityMode.SignAndEncrypt, allowDeprecated: false);
        UaServiceException error = await Assert.ThrowsAsync<UaServiceException>(() => UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));

        Assert.Equal("BadSecurityPolicyRejected", error.StatusCode.Name);
        Assert.Contains("policy Basic128Rsa15, mode SignAndEncrypt, deprecated policies not allowed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Basic128Rsa15/SignAndEncrypt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyAuto_Basic128Rsa15_NeverPickedWithoutAllowDeprecated()
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? url, out _);
        UaEndpointDescription[] endpoints = await UaSession.GetEndpointsAsync(url!, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());
        Assert.Contains(endpoints, e => e.SecurityPolicyUri == UaSecurityAlgorithms.Basic128Rsa15.Uri && e.SecurityMode == UaMessageSecurityMode.SignAndEncrypt);
        UaEndpointDescription[] onlyRsa15 = endpoints.Where(e => e.SecurityPolicyUri is { } uri && (uri.EndsWith("#None", StringComparison.Ordinal) || uri == UaSecurityAlgorithms.Basic128Rsa15.Uri)).ToArray();

        // The real server's full list: auto takes the strongest policy, with or without allow_deprecated.
        Assert.Equal(UaSecurityAlgorithms.Aes256Sha256RsaPss.Uri, Security(UaClientSecurity.Auto, allowDeprecated: false).SelectEndpoint(endpoints).SecurityPolicyUri);
        Assert.Equal(UaSecurityAlgorithms.Aes256Sha256RsaPss.Uri, Security(UaClientSecurity.Auto, allowDeprecated: true).SelectEndpoint(endpoints).SecurityPolicyUri);

        // A server offering nothing but Basic128Rsa15 (its list without the other policies): refused unless allowed.
        UaServiceException refused = Assert.Throws<UaServiceException>(() => Security(UaClientSecurity.Auto, allowDeprecated: false).SelectEndpoint(onlyRsa15));
        Assert.Equal("BadSecurityPolicyRejected", refused.StatusCode.Name);
        Assert.Contains("deprecated policies not allowed", refused.Message, StringComparison.Ordinal);
        UaEndpointDescription allowed = Security(UaClientSecurity.Auto, allowDeprecated: true).SelectEndpoint(onlyRsa15);
        Assert.Equal((UaSecurityAlgorithms.Basic128Rsa15.Uri, UaMessageSecurityMode.SignAndEncrypt), (allowed.SecurityPolicyUri, allowed.SecurityMode));
    }

    private UaClientSecurity Security(string policy, bool allowDeprecated, UaMessageSecurityMode? mode = null)
    {
        var store = new UaCertificateStore(_pki);
        UaApplicationCertificate own = store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);

        // node-opcua's certificate names the machine's host name, not 127.0.0.1: the host check is tested elsewhere.
        var validator = new UaCertificateValidator(store, new UaCertificateValidationOptions(CheckHostName: false), TimeProvider.System);
        var configuration = new UaSecurityConfiguration(policy, mode, allowDeprecated, false, false, TimeSpan.FromDays(1), ApplicationUri);
        return new UaClientSecurity(configuration, own, validator, "127.0.0.1");
    }

    private async Task<UaEndpointDescription> EndpointAsync(string policy, UaMessageSecurityMode mode)
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? url, out _);
        UaEndpointDescription[] endpoints = await UaSession.GetEndpointsAsync(url!, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());
        return endpoints.First(e => e.SecurityPolicyUri!.EndsWith("#" + policy, StringComparison.Ordinal) && e.SecurityMode == mode);
    }

    /// <summary>Client options for <paramref name="policy"/>/<paramref name="mode"/> with the server's certificate trusted.</summary>
    private async Task<UaClientOptions> SecureOptionsAsync(string policy, UaMessageSecurityMode mode, bool allowDeprecated)
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? url, out _);
        UaClientSecurity security = Security(policy, allowDeprecated, mode);
        UaEndpointDescription endpoint = await EndpointAsync("Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt);
        using X509Certificate2 server = X509CertificateLoader.LoadCertificate(UaCertificateInfo.LeafOf(endpoint.ServerCertificate!));
        new UaCertificateStore(_pki).AddTrusted(server);
        return security.Apply(new UaClientOptions { Endpoint = url! });
    }

    private sealed class CollectingHandler : IUaDataChangeHandler
    {
        private readonly List<object?> _values = [];

        public IReadOnlyList<object?> Values
        {
            get
            {
                lock (_values)
                {
                    return _values.ToArray();
                }
            }
        }

        public async Task WaitForAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
            while (Values.Count < count)
            {
                await Task.Delay(20, timeout.Token); // polling a counter, not synchronising on time
            }
        }

        public ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken)
        {
            lock (_values)
            {
                _values.Add(value.Value.Value);
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(status.Name);
    }
}
