using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// Secured endpoints against the real node-opcua server: application certificate and PKI folders, server
/// certificate trust, the RSA policies in Sign and SignAndEncrypt, endpoint choice.
/// </summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaSecurityTests : IDisposable
{
    private const string ApplicationUri = OpcUaSecureClients.ApplicationUri;
    private readonly OpcUaServerFixture _fixture;
    private readonly string _pki = Path.Combine(Path.GetTempPath(), "smartcity-edge-test-pki-" + Guid.NewGuid().ToString("N"));

    public OpcUaSecurityTests(OpcUaServerFixture fixture) => _fixture = fixture;

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

    [Fact]
    public void ApplicationCertificate_FirstStart_CreatedPerOpcUaRulesAndReused()
    {
        var store = new UaCertificateStore(_pki);
        UaApplicationCertificate own = store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(30), TimeProvider.System);

        Assert.True(File.Exists(Path.Combine(_pki, "own", "certs", "smartcity-edge.der")));
        Assert.True(File.Exists(Path.Combine(_pki, "own", "private", "smartcity-edge.pem")));
        Assert.True(Directory.Exists(Path.Combine(_pki, "trusted", "certs")));
        Assert.True(Directory.Exists(Path.Combine(_pki, "rejected", "certs")));
        using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(own.Certificate);
        Assert.Equal(2048, certificate.GetRSAPublicKey()!.KeySize);
        Assert.Equal("1.2.840.113549.1.1.11", certificate.SignatureAlgorithm.Value); // sha256WithRSAEncryption
        Assert.Equal(ApplicationUri, UaCertificateInfo.ApplicationUriOf(certificate));
        Assert.InRange((certificate.NotAfter - certificate.NotBefore).TotalDays, 30, 30.1);
        X509KeyUsageExtension usage = Assert.Single(certificate.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment));
        Assert.Equal(certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo(), own.PrivateKey.ExportSubjectPublicKeyInfo());

        // Second start: the same certificate, not a new one (the servers trust it by thumbprint).
        UaApplicationCertificate again = new UaCertificateStore(_pki).LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(30), TimeProvider.System);
        Assert.Equal(own.Certificate, again.Certificate);

        // A key that does not belong to the certificate (two first starts racing) is replaced by a new pair.
        using var stranger = RSA.Create(2048);
        File.WriteAllText(Path.Combine(_pki, "own", "private", "smartcity-edge.pem"), stranger.ExportPkcs8PrivateKeyPem());
        UaApplicationCertificate repaired = new UaCertificateStore(_pki).LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(30), TimeProvider.System);
        Assert.NotEqual(own.Certificate, repaired.Certificate);
        using X509Certificate2 repairedCertificate = X509CertificateLoader.LoadCertificate(repaired.Certificate);
        Assert.Equal(repairedCertificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo(), repaired.PrivateKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task Connect_UntrustedServer_RefusedSavedInRejectedThenTrustedConnects()
    {
        var store = new UaCertificateStore(_pki);
        UaClientOptions options = await SecureOptionsAsync(store, "Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt, trustServer: false);

        UaCertificateException refused = await Assert.ThrowsAsync<UaCertificateException>(() => UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));

        Assert.Equal("BadCertificateUntrusted", refused.StatusCode.Name);
        StoredCertificate rejected = Assert.Single(store.List(store.RejectedDirectory));
        Assert.Contains("smartcity-edge opcua trust " + rejected.Thumbprint, refused.Message, StringComparison.Ordinal);
        Assert.Empty(store.List(store.TrustedDirectory));

        Assert.NotNull(store.Trust(rejected.Thumbprint[..12], out string? error));
        Assert.Null(error);
        Assert.Empty(store.List(store.RejectedDirectory));
        await using UaSession session = await UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());
        Assert.Equal(UaMessageSecurityMode.SignAndEncrypt, session.Channel.Policy.SecurityMode);
        await AssertReadsAsync(session);
        await session.CloseAsync(TestTimeouts.Token());
    }

    [Theory]
    [InlineData("Basic256Sha256", UaMessageSecurityMode.Sign)]
    [InlineData("Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt)]
    [InlineData("Aes128_Sha256_RsaOaep", UaMessageSecurityMode.Sign)]
    [InlineData("Aes128_Sha256_RsaOaep", UaMessageSecurityMode.SignAndEncrypt)]
    [InlineData("Aes256_Sha256_RsaPss", UaMessageSecurityMode.Sign)]
    [InlineData("Aes256_Sha256_RsaPss", UaMessageSecurityMode.SignAndEncrypt)]
    public async Task SecuredEndpoint_ReadAndSubscription_Work(string policy, UaMessageSecurityMode mode)
    {
        // 8 KiB chunks through a proxy that counts intermediate chunks on the wire: with the default 64 KiB buffers the
        // read below (split by the server's operation limit) would fit in single chunks and prove nothing about chunking.
        await using var proxy = new UaChunkCountingProxy(_fixture.Server.Port);
        UaClientOptions options = await SecureOptionsAsync(new UaCertificateStore(_pki), policy, mode, trustServer: true);
        UaEndpointUrl.TryParse($"opc.tcp://127.0.0.1:{proxy.Port}", out UaEndpointUrl? viaProxy, out _);
        options = options with
        {
            Endpoint = viaProxy!,
            Channel = UaSecureChannelOptions.Default with { Limits = new UaTransportLimits(8192, 8192, 16 * 1024 * 1024, 4096) },
        };
        await using var client = new UaClient(options, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());

        Assert.EndsWith("#" + policy, client.Session!.Channel.Policy.PolicyUri, StringComparison.Ordinal);
        Assert.Equal(mode, client.Session.Channel.Policy.SecurityMode);
        await AssertReadsAsync(client.Session);

        // A large response spans several chunks, each secured on its own.
        UaDataValue[] bench = await client.Session.ReadAsync(
            Enumerable.Range(0, 1000).Select(i => new UaReadValueId(UaNodeId.FromString(1, $"Bench.N{i:0000}"))).ToArray(), TestTimeouts.Token());
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (object?)(double)i), bench.Select(v => v.Value.Value));
        Assert.True(proxy.IntermediateChunksFromServer > 0, "no response was split into chunks");

        var handler = new CountingHandler();
        await client.CreateSubscriptionAsync(
            TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), [new UaMonitoredItemRequest(UaNodeId.FromString(1, "Dynamic.Counter"), 1, 0, 10)], handler, TestTimeouts.Token());
        await handler.WaitForAsync(5);
    }

    [Fact]
    public async Task Driver_SecuredConfig_RefusesUntrustedThenConnectsAfterTrust()
    {
        string yaml = $$"""
            id: plc
            endpoint: {{_fixture.Server.EndpointUrl}}
            security: { policy: auto, mode: SignAndEncrypt, check_hostname: false, application_uri: "{{ApplicationUri}}" }
            auth: { username: technician, password: "${OPCUA_PASSWORD}" }
            tags:
              - { id: temp, node: "ns=1;s=Scalars.Double", mode: poll }
              - { id: count, node: "ns=1;s=Dynamic.Counter" }
            """;
        await using (OpcUaDriver refused = OpcUaDriverHarness.Create(yaml, _pki))
        {
            DeviceException error = await Assert.ThrowsAsync<DeviceException>(() => refused.ConnectAsync(new CollectingSink(refused.Device.Tags), TestTimeouts.Token()).AsTask());
            Assert.Equal("certificate", error.Kind);
            Assert.Contains("smartcity-edge opcua trust", error.Message, StringComparison.Ordinal);
        }

        // What `smartcity-edge opcua trust` does, on data_dir/pki.
        var store = new UaCertificateStore(Path.Combine(_pki, "pki"));
        Assert.True(File.Exists(Path.Combine(_pki, "pki", "own", "certs", "smartcity-edge.der")));
        StoredCertificate rejected = Assert.Single(store.List(store.RejectedDirectory));
        Assert.NotNull(store.Trust(rejected.Thumbprint, out _));

        await using OpcUaDriver driver = OpcUaDriverHarness.Create(yaml, _pki);
        var sink = new CollectingSink(driver.Device.Tags);
        await driver.ConnectAsync(sink, TestTimeouts.Token());
        Assert.Equal(UaSecurityAlgorithms.Aes256Sha256RsaPss.Uri, driver.Client!.Session!.Channel.Policy.PolicyUri);
        await driver.PollAsync(TestTimeouts.Token());
        Reading temp = await sink.WaitForAsync(r => r.TagId == "temp");
        Assert.Equal((Quality.Good, 3.14159), (temp.Quality, temp.Value.AsDouble()));
        await sink.CollectAsync("count", 3);
    }

    [Fact]
    public async Task SecuredEndpoint_4096BitClientKey_ExtraPaddingBothWays()
    {
        // Our 4096-bit key: the server's OPN response carries ExtraPaddingSize (receiver key > 2048 bits) and our
        // signatures are 512 bytes.
        var store = new UaCertificateStore(_pki);
        store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System, keySize: 4096);
        UaClientOptions options = await SecureOptionsAsync(store, "Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt, trustServer: true);
        await using UaSession session = await UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());

        await AssertReadsAsync(session);
        await session.CloseAsync(TestTimeouts.Token());
    }

    [Fact]
    public async Task ShortTokenLifetime_RenewalsKeepSubscriptionAlive()
    {
        UaClientOptions options = await SecureOptionsAsync(new UaCertificateStore(_pki), "Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt, trustServer: true);
        options = options with { Channel = UaSecureChannelOptions.Default with { RequestedLifetime = TimeSpan.FromSeconds(2) } };
        await using var client = new UaClient(options, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());
        UaSecureChannel channel = client.Session!.Channel;
        uint firstToken = channel.TokenId;
        var handler = new CountingHandler();
        await client.CreateSubscriptionAsync(
            TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), [new UaMonitoredItemRequest(UaNodeId.FromString(1, "Dynamic.Counter"), 1, 0, 10)], handler, TestTimeouts.Token());

        // Renewed at 75 % of the lifetime: two renewals within ~3 s, data flowing throughout on the same channel.
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        while (channel.TokenId < firstToken + 2)
        {
            await Task.Delay(50, timeout.Token); // polling a counter, not synchronising on time
        }

        int before = handler.Count;
        await handler.WaitForAsync(before + 5);
        Assert.Same(channel, client.Session!.Channel);
        Assert.Equal(0, client.ReconnectCount);
        Assert.Equal(UaSecureChannelState.Open, channel.State);
    }

    [Fact]
    public async Task Validator_HostNameUriAndKeyUsage_Checked()
    {
        var store = new UaCertificateStore(_pki);
        UaEndpointDescription endpoint = await SecuredEndpointAsync("Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt);
        store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        using X509Certificate2 server = X509CertificateLoader.LoadCertificate(UaCertificateInfo.LeafOf(endpoint.ServerCertificate!));
        store.AddTrusted(server);
        var validator = new UaCertificateValidator(store, new UaCertificateValidationOptions(), TimeProvider.System);

        string certificateHost = Assert.IsType<string>(UaCertificateInfo.HostNamesOf(server)[0]);
        validator.Validate(endpoint, certificateHost);
        Assert.Equal("BadCertificateHostNameInvalid", Assert.Throws<UaCertificateException>(() => validator.Validate(endpoint, "plc.elsewhere.example")).StatusCode.Name);
        Assert.Equal(
            "BadCertificateUriInvalid",
            Assert.Throws<UaCertificateException>(() => validator.Validate(endpoint with { Server = endpoint.Server with { ApplicationUri = "urn:someone:else" } }, certificateHost)).StatusCode.Name);

        // A trusted certificate whose key may only sign (no key/data encipherment).
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=SignOnly", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        using X509Certificate2 signOnly = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        store.AddTrusted(signOnly);
        var noHostCheck = new UaCertificateValidator(store, new UaCertificateValidationOptions(CheckHostName: false), TimeProvider.System);
        UaEndpointDescription signOnlyEndpoint = endpoint with { ServerCertificate = signOnly.RawData, Server = endpoint.Server with { ApplicationUri = null } };
        Assert.Equal("BadCertificateUseNotAllowed", Assert.Throws<UaCertificateException>(() => noHostCheck.Validate(signOnlyEndpoint, "127.0.0.1")).StatusCode.Name);
    }

    [Theory]
    [InlineData(UaMessageSecurityMode.Sign)]
    [InlineData(UaMessageSecurityMode.SignAndEncrypt)]
    public async Task TamperedChunkFromServer_ChannelFaultsWithSecurityChecksFailedAndReopens(UaMessageSecurityMode mode)
    {
        await using var proxy = new StallingTcpProxy(_fixture.Server.Port);
        UaClientOptions options = await SecureOptionsAsync(new UaCertificateStore(_pki), "Basic256Sha256", mode, trustServer: true);
        UaEndpointUrl.TryParse($"opc.tcp://127.0.0.1:{proxy.Port}", out UaEndpointUrl? viaProxy, out _);
        await using var client = new UaClient(options with { Endpoint = viaProxy! }, TimeProvider.System, NullLogger.Instance);
        await client.ConnectAsync(TestTimeouts.Token());
        var handler = new CountingHandler();
        await client.CreateSubscriptionAsync(
            TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1), [new UaMonitoredItemRequest(UaNodeId.FromString(1, "Dynamic.Counter"), 1, 0, 10)], handler, TestTimeouts.Token());
        await handler.WaitForAsync(2);
        UaSecureChannel channel = client.Session!.Channel;

        proxy.CorruptNextMessageFromServer();
        await TestTimeouts.UntilCancelledAsync(channel.Closed, "the channel did not close");

        UaTransportException fault = Assert.IsType<UaTransportException>(channel.Fault);
        Assert.Equal("BadSecurityChecksFailed", fault.StatusCode.Name);
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        while (client.ReconnectCount < 1 || client.State != UaClientState.Connected)
        {
            await Task.Delay(20, timeout.Token); // polling a counter, not synchronising on time
        }

        int before = handler.Count;
        await handler.WaitForAsync(before + 3);
        Assert.NotSame(channel, client.Session!.Channel);
    }

    [Theory]
    [InlineData("Basic256Sha256")]
    [InlineData("Aes256_Sha256_RsaPss")]
    public async Task SecuredEndpoint_X509User_ActivatesAndWrongKeyRejected(string policy)
    {
        UaClientOptions options = await SecureOptionsAsync(new UaCertificateStore(_pki), policy, UaMessageSecurityMode.SignAndEncrypt, trustServer: true);
        using var userKey = RSA.Create(2048);
        byte[] userCertificate = CreateUserCertificate(userKey);

        await using (UaSession session = await UaSession.CreateAsync(options with { UserCertificate = new UaUserCertificate(userCertificate, userKey) }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()))
        {
            await AssertReadsAsync(session);
            await session.CloseAsync(TestTimeouts.Token());
        }

        // The userTokenSignature is checked: a key that does not match the certificate is refused.
        using var otherKey = RSA.Create(2048);
        UaServiceException refused = await Assert.ThrowsAsync<UaServiceException>(() =>
            UaSession.CreateAsync(options with { UserCertificate = new UaUserCertificate(userCertificate, otherKey) }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));
        Assert.Equal("BadUserSignatureInvalid", refused.StatusCode.Name);
    }

    [Fact]
    public async Task SecuredEndpoint_UserName_PasswordAcceptedAndWrongPasswordDenied()
    {
        UaClientOptions options = await SecureOptionsAsync(new UaCertificateStore(_pki), "Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt, trustServer: true);
        await using (UaSession session = await UaSession.CreateAsync(options with { UserName = "technician", Password = "s3cret" }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()))
        {
            await AssertReadsAsync(session);
            await session.CloseAsync(TestTimeouts.Token());
        }

        UaServiceException denied = await Assert.ThrowsAsync<UaServiceException>(() =>
            UaSession.CreateAsync(options with { UserName = "technician", Password = "wrong" }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));
        Assert.Equal("BadUserAccessDenied", denied.StatusCode.Name);
    }

    [Fact]
    public async Task PolicyAuto_PicksStrongestOfferedEndpoint()
    {
        UaClientOptions options = await SecureOptionsAsync(new UaCertificateStore(_pki), UaClientSecurity.Auto, null, trustServer: true);
        await using UaSession session = await UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());

        Assert.Equal(UaSecurityAlgorithms.Aes256Sha256RsaPss.Uri, session.Channel.Policy.PolicyUri);
        Assert.Equal(UaMessageSecurityMode.SignAndEncrypt, session.Channel.Policy.SecurityMode);
        await session.CloseAsync(TestTimeouts.Token());
    }

    [Theory]
    [InlineData("Basic256", UaMessageSecurityMode.Sign)]
    [InlineData("Basic256", UaMessageSecurityMode.SignAndEncrypt)]
    public async Task DeprecatedPolicy_AllowedExplicitly_Works(string policy, UaMessageSecurityMode mode)
    {
        UaClientOptions options = await SecureOptionsAsync(new UaCertificateStore(_pki), policy, mode, trustServer: true, allowDeprecated: true);
        await using UaSession session = await UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());

        Assert.EndsWith("#" + policy, session.Channel.Policy.PolicyUri, StringComparison.Ordinal);
        await AssertReadsAsync(session);
        await session.CloseAsync(TestTimeouts.Token());
    }

    [Fact]
    public async Task DeprecatedPolicy_NotAllowed_NotChosenEvenIfOnlyMatch()
    {
        // auto never picks a deprecated policy without allow_deprecated; Basic256 asked for without it is refused.
        UaClientOptions options = await SecureOptionsAsync(new UaCertificateStore(_pki), "Basic256", UaMessageSecurityMode.SignAndEncrypt, trustServer: true);

        UaServiceException error = await Assert.ThrowsAsync<UaServiceException>(() => UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));

        Assert.Equal("BadSecurityPolicyRejected", error.StatusCode.Name);
        Assert.Contains("deprecated policies not allowed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Basic256/SignAndEncrypt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplicitPolicy_NotOffered_ErrorListsWhatServerOffers()
    {
        // The test server offers every policy: take its real endpoint list without Aes128_Sha256_RsaOaep.
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? url, out _);
        UaEndpointDescription[] endpoints = await UaSession.GetEndpointsAsync(url!, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());
        UaEndpointDescription[] withoutAes128 = endpoints.Where(e => !e.SecurityPolicyUri!.EndsWith("#Aes128_Sha256_RsaOaep", StringComparison.Ordinal)).ToArray();
        var store = new UaCertificateStore(_pki);
        UaApplicationCertificate own = store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        var configuration = new UaSecurityConfiguration("Aes128_Sha256_RsaOaep", UaMessageSecurityMode.Sign, false, false, false, TimeSpan.FromDays(1), ApplicationUri);
        var security = new UaClientSecurity(configuration, own, new UaCertificateValidator(store, new UaCertificateValidationOptions(), TimeProvider.System), url!.Host);

        Assert.Equal(UaMessageSecurityMode.Sign, security.SelectEndpoint(endpoints).SecurityMode);
        UaServiceException error = Assert.Throws<UaServiceException>(() => security.SelectEndpoint(withoutAes128));

        Assert.Equal("BadSecurityPolicyRejected", error.StatusCode.Name);
        Assert.Contains("policy Aes128_Sha256_RsaOaep, mode Sign", error.Message, StringComparison.Ordinal);
        Assert.Contains("Basic256Sha256/SignAndEncrypt", error.Message, StringComparison.Ordinal);
        Assert.Contains("Aes256_Sha256_RsaPss/Sign", error.Message, StringComparison.Ordinal);
        Assert.Contains("None/None", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validator_ServerCertificateExpired_RefusedWithTimeInvalid()
    {
        var store = new UaCertificateStore(_pki);
        UaEndpointDescription endpoint = await SecuredEndpointAsync("Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt);
        store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        store.AddTrusted(X509CertificateLoader.LoadCertificate(UaCertificateInfo.LeafOf(endpoint.ServerCertificate!)));

        // The same, trusted certificate seen from 30 years on.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddYears(30));
        var validator = new UaCertificateValidator(store, new UaCertificateValidationOptions(CheckHostName: false), later);

        UaCertificateException error = Assert.Throws<UaCertificateException>(() => validator.Validate(endpoint, "127.0.0.1"));
        Assert.Equal("BadCertificateTimeInvalid", error.StatusCode.Name);
    }

    [Fact]
    public async Task Validator_TrustOnFirstUse_TrustsOnlyWhenTrustListEmpty()
    {
        var store = new UaCertificateStore(_pki);
        UaEndpointDescription endpoint = await SecuredEndpointAsync("Basic256Sha256", UaMessageSecurityMode.SignAndEncrypt);
        store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        var validator = new UaCertificateValidator(store, new UaCertificateValidationOptions(TrustOnFirstUse: true, CheckHostName: false), TimeProvider.System);

        validator.Validate(endpoint, "127.0.0.1");

        Assert.Single(store.List(store.TrustedDirectory));
        Assert.Empty(store.List(store.RejectedDirectory));

        // The list is no longer empty: another server's certificate is refused as usual.
        using var otherKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=Other", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        UaCertificateException refused = Assert.Throws<UaCertificateException>(() => validator.Validate(endpoint with { ServerCertificate = other.RawData }, "127.0.0.1"));
        Assert.Equal("BadCertificateUntrusted", refused.StatusCode.Name);
    }

    [Fact]
    public void SymmetricChunk_TamperedOrTruncated_SecurityChecksFailed()
    {
        var store = new UaCertificateStore(_pki);
        UaApplicationCertificate own = store.LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        foreach (UaMessageSecurityMode mode in new[] { UaMessageSecurityMode.Sign, UaMessageSecurityMode.SignAndEncrypt })
        {
            // The "server" side of a token is the same policy with the key directions swapped.
            var policy = new UaSecurityPolicyRsa(UaSecurityAlgorithms.Basic256Sha256, mode, own.Certificate, own.PrivateKey, own.Certificate);
            var keys = (UaTokenKeys)policy.DeriveKeys(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32))!;
            var serverKeys = new UaTokenKeys(keys.Server, keys.Client);
            byte[] chunk = SecuredChunk(policy, serverKeys, out int length);

            byte[] good = chunk[..length];
            Assert.Equal(16 + 8 + 100, policy.Unprotect(good, 16, asymmetric: false, keys));
            Assert.Equal(0xAB, good[16 + 8 + 50]);

            byte[] tampered = chunk[..length];
            tampered[30] ^= 0x01;
            Assert.Equal("BadSecurityChecksFailed", Assert.Throws<UaTransportException>(() => policy.Unprotect(tampered, 16, false, keys)).StatusCode.Name);

            byte[] truncated = chunk[..(length - 16)];
            Assert.Equal("BadSecurityChecksFailed", Assert.Throws<UaTransportException>(() => policy.Unprotect(truncated, 16, false, keys)).StatusCode.Name);
        }
    }

    [Theory]
    [InlineData("Basic256Sha256", 31)]
    [InlineData("Basic256Sha256", 33)]
    [InlineData("Aes256_Sha256_RsaPss", 16)]
    [InlineData("Basic128Rsa15", 32)]
    public void OpenSecureChannel_ServerNonceNotThePolicysLength_BadNonceInvalid(string policy, int length)
    {
        UaApplicationCertificate own = new UaCertificateStore(_pki).LoadOrCreateOwn(ApplicationUri, "SmartCity.Edge", TimeSpan.FromDays(1), TimeProvider.System);
        UaSecurityAlgorithms suite = UaSecurityAlgorithms.All.Single(s => s.Name == policy);
        var channel = new UaSecurityPolicyRsa(suite, UaMessageSecurityMode.SignAndEncrypt, own.Certificate, own.PrivateKey, own.Certificate);

        UaTransportException error = Assert.Throws<UaTransportException>(() => channel.DeriveKeys(RandomNumberGenerator.GetBytes(suite.NonceLength), RandomNumberGenerator.GetBytes(length)));

        Assert.Equal("BadNonceInvalid", error.StatusCode.Name);
        Assert.NotNull(channel.DeriveKeys(RandomNumberGenerator.GetBytes(suite.NonceLength), RandomNumberGenerator.GetBytes(suite.NonceLength)));
    }

    private static byte[] CreateUserCertificate(RSA key)
    {
        var request = new CertificateRequest("CN=technician, O=SmartCity.Edge tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.RawData;
    }

    private static byte[] SecuredChunk(UaSecurityPolicyRsa policy, UaTokenKeys keys, out int length)
    {
        byte[] chunk = new byte[512];
        "MSGF"u8.CopyTo(chunk);
        chunk.AsSpan(16 + 8, 100).Fill(0xAB);
        length = policy.Protect(chunk, 16 + 8 + 100, 16, asymmetric: false, keys);
        return chunk;
    }

    private static async Task AssertReadsAsync(UaSession session)
    {
        UaDataValue[] values = await session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Double"))], TestTimeouts.Token());
        Assert.Equal(3.14159, values[0].Value.Value);
    }

    private async Task<UaEndpointDescription> SecuredEndpointAsync(string policy, UaMessageSecurityMode mode)
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? url, out _);
        UaEndpointDescription[] endpoints = await UaSession.GetEndpointsAsync(url!, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());
        return endpoints.First(e => e.SecurityPolicyUri!.EndsWith("#" + policy, StringComparison.Ordinal) && e.SecurityMode == mode);
    }

    private Task<UaClientOptions> SecureOptionsAsync(UaCertificateStore store, string policy, UaMessageSecurityMode? mode, bool trustServer, bool allowDeprecated = false) =>
        OpcUaSecureClients.SecureOptionsAsync(_fixture.Server.EndpointUrl, store, policy, mode, trustServer, allowDeprecated);

    private sealed class CountingHandler : IUaDataChangeHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public async Task WaitForAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
            while (Volatile.Read(ref _count) < count)
            {
                await Task.Delay(20, timeout.Token); // polling a counter, not synchronising on time
            }
        }

        public ValueTask OnDataChangeAsync(uint clientHandle, UaDataValue value, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return ValueTask.CompletedTask;
        }

        public ValueTask OnItemFailedAsync(uint clientHandle, UaStatusCode status, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(status.Name);
    }
}
