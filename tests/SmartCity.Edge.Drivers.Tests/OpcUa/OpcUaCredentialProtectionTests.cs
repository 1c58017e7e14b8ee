using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// The user's password against an active man in the middle (<see cref="UaRewritingProxy"/> between our client and the
/// real node-opcua server, rewriting what is not signed): the downgrade check of CreateSession, user token policies that
/// ask for the password in clear, passwords over None, short session nonces. Every test asserts on the bytes that
/// crossed the proxy: the password never appears, and a refused session never sent ActivateSession.
/// </summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaCredentialProtectionTests : IDisposable
{
    private const string Password = "s3cret";
    private readonly OpcUaServerFixture _fixture;
    private readonly string _pki = Directory.CreateTempSubdirectory("smartcity-edge-credential-pki-").FullName;

    public OpcUaCredentialProtectionTests(OpcUaServerFixture fixture) => _fixture = fixture;

    private static byte[] PasswordBytes => Encoding.UTF8.GetBytes(Password);

    public void Dispose() => Directory.Delete(_pki, recursive: true);

    [Fact]
    public async Task Downgrade_SignAndEncryptStrippedFromGetEndpoints_SessionRefusedBeforeActivateSession()
    {
        await using var proxy = new UaRewritingProxy(_fixture.Server.Port);
        UaClientOptions options = (await SecureOptionsAsync(UaClientSecurity.Auto, mode: null)).Via(proxy.EndpointUrl);

        // Untouched, auto takes SignAndEncrypt.
        await using (UaSession session = await UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()))
        {
            Assert.Equal(UaMessageSecurityMode.SignAndEncrypt, session.Channel.Policy.SecurityMode);
            await session.CloseAsync(TestTimeouts.Token());
        }

        // The attacker strips every SignAndEncrypt endpoint from the unsigned GetEndpoints reply: auto falls back to
        // Sign, and the server's signed CreateSession list gives the attack away.
        proxy.RewriteFromServer = UaResponseRewrites.GetEndpoints(endpoints => endpoints.Where(e => e.SecurityMode != UaMessageSecurityMode.SignAndEncrypt).ToArray());
        int sentBefore = proxy.ClientRequestTypes.Count;

        UaServiceException refused = await Assert.ThrowsAsync<UaServiceException>(() => UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));

        Assert.Equal("BadSecurityChecksFailed", refused.StatusCode.Name);
        Assert.Contains("possible downgrade attack", refused.Message, StringComparison.Ordinal);
        string leftOut = refused.Message[refused.Message.IndexOf("left out of GetEndpoints: ", StringComparison.Ordinal)..];
        Assert.Contains("Aes256_Sha256_RsaPss/SignAndEncrypt", leftOut, StringComparison.Ordinal);
        Assert.DoesNotContain("/Sign,", leftOut, StringComparison.Ordinal);
        IReadOnlyList<uint> sent = proxy.ClientRequestTypes.Skip(sentBefore).ToArray();
        Assert.Contains(UaTypeIds.CreateSessionRequest, sent); // the Sign channel's requests are readable: CreateSession went out ...
        Assert.DoesNotContain(UaTypeIds.ActivateSessionRequest, sent); // ... the session was never activated
        Assert.False(proxy.ClientSent(PasswordBytes));
    }

    [Theory]
    [InlineData(UaMessageSecurityMode.Sign, "clear-token")]
    [InlineData(UaMessageSecurityMode.Sign, "anonymous-only")]
    [InlineData(UaMessageSecurityMode.SignAndEncrypt, "clear-token")]
    public async Task SecuredChannel_UserTokenPoliciesRewritten_RefusedAsDowngradePasswordNeverSent(UaMessageSecurityMode mode, string rewrite)
    {
        await using var proxy = new UaRewritingProxy(_fixture.Server.Port);
        proxy.RewriteFromServer = UaResponseRewrites.GetEndpoints(endpoints => endpoints.Select(e => Rewrite(e, rewrite)).ToArray());
        UaClientOptions options = (await SecureOptionsAsync("Basic256Sha256", mode)).Via(proxy.EndpointUrl);

        UaServiceException refused = await Assert.ThrowsAsync<UaServiceException>(() => UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));

        Assert.Equal("BadSecurityChecksFailed", refused.StatusCode.Name);
        Assert.Contains("possible downgrade attack", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"changed in GetEndpoints (user token policies, security level, URL or application): ", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(UaTypeIds.ActivateSessionRequest, proxy.ClientRequestTypes);
        Assert.False(proxy.ClientSent(PasswordBytes));
    }

    [Theory]
    [InlineData("clear-token", "BadSecurityModeInsufficient", "would take the password in clear text")]
    [InlineData("anonymous-only", "BadIdentityTokenRejected", "does not accept user names")]
    public async Task NoneChannel_UserTokenPoliciesRewritten_PasswordNeverSent(string rewrite, string status, string reason)
    {
        // On a None channel nothing is signed: the rewrite goes unnoticed, the rules on the token policy decide.
        await using var proxy = new UaRewritingProxy(_fixture.Server.Port);
        proxy.RewriteFromServer = UaResponseRewrites.GetEndpoints(endpoints => endpoints.Select(e => Rewrite(e, rewrite)).ToArray());

        UaServiceException refused = await Assert.ThrowsAsync<UaServiceException>(() => UaSession.CreateAsync(NoneWithPassword(proxy.EndpointUrl), TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));

        Assert.Equal(status, refused.StatusCode.Name);
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.Contains(UaTypeIds.CreateSessionRequest, proxy.ClientRequestTypes);
        Assert.DoesNotContain(UaTypeIds.ActivateSessionRequest, proxy.ClientRequestTypes);
        Assert.False(proxy.ClientSent(PasswordBytes));
    }

    [Fact]
    public async Task NoneChannel_PasswordWithEncryptingTokenPolicy_SentOnlyEncryptedToTrustedCertificate()
    {
        // The working case the refusals above are measured against: the password goes out, RSA-encrypted.
        await using var proxy = new UaRewritingProxy(_fixture.Server.Port);
        await using UaSession session = await UaSession.CreateAsync(NoneWithPassword(proxy.EndpointUrl), TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());

        Assert.Equal(UaMessageSecurityMode.None, session.Channel.Policy.SecurityMode);
        Assert.Contains(UaTypeIds.ActivateSessionRequest, proxy.ClientRequestTypes);
        Assert.False(proxy.ClientSent(PasswordBytes));
        await session.CloseAsync(TestTimeouts.Token());
    }

    [Fact]
    public async Task NoneChannel_PasswordWithoutOptInOrTrust_RefusedBeforeActivateSession()
    {
        await using var proxy = new UaRewritingProxy(_fixture.Server.Port);
        UaClientOptions trusting = NoneWithPassword(proxy.EndpointUrl);
        var store = new UaCertificateStore(Path.Combine(_pki, "strict"));
        var strict = new UaCertificateValidator(store, new UaCertificateValidationOptions(CheckHostName: false), TimeProvider.System);

        UaServiceException notAllowed = await Assert.ThrowsAsync<UaServiceException>(() =>
            UaSession.CreateAsync(trusting with { AllowInsecurePassword = false }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));
        UaCertificateException unverified = await Assert.ThrowsAsync<UaCertificateException>(() =>
            UaSession.CreateAsync(trusting with { ServerCertificateValidator = null }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));
        UaCertificateException untrusted = await Assert.ThrowsAsync<UaCertificateException>(() =>
            UaSession.CreateAsync(trusting with { ServerCertificateValidator = e => strict.Validate(e, "127.0.0.1") }, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));

        Assert.Equal("BadSecurityModeInsufficient", notAllowed.StatusCode.Name);
        Assert.Contains("allow_insecure_password", notAllowed.Message, StringComparison.Ordinal);
        Assert.Equal("BadCertificateUntrusted", unverified.StatusCode.Name);
        Assert.Equal("BadCertificateUntrusted", untrusted.StatusCode.Name);
        Assert.Contains("smartcity-edge opcua trust " + untrusted.Thumbprint, untrusted.Message, StringComparison.Ordinal);
        Assert.Single(store.List(store.RejectedDirectory));
        Assert.DoesNotContain(UaTypeIds.ActivateSessionRequest, proxy.ClientRequestTypes);
        Assert.False(proxy.ClientSent(PasswordBytes));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    public async Task CreateSession_ServerNonceShorterThan32Bytes_Refused(int length)
    {
        await using var proxy = new UaRewritingProxy(_fixture.Server.Port);
        proxy.RewriteFromServer = UaResponseRewrites.CreateSessionNonce(length);

        UaServiceException refused = await Assert.ThrowsAsync<UaServiceException>(() => UaSession.CreateAsync(NoneWithPassword(proxy.EndpointUrl), TimeProvider.System, NullLogger.Instance, TestTimeouts.Token()));

        Assert.Equal("BadNonceInvalid", refused.StatusCode.Name);
        Assert.Contains($"has {length} bytes, at least 32", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(UaTypeIds.ActivateSessionRequest, proxy.ClientRequestTypes);
    }

    [Fact]
    public async Task PolicyAuto_SignAndEncryptWithWeakerPolicy_PreferredOverSignWithStronger()
    {
        UaEndpointDescription[] offered = await OpcUaSecureClients.EndpointsAsync(_fixture.Server.EndpointUrl);
        UaEndpointDescription[] mixed = offered.Where(e =>
            (e.SecurityPolicyUri == UaSecurityAlgorithms.Aes256Sha256RsaPss.Uri && e.SecurityMode == UaMessageSecurityMode.Sign) ||
            (e.SecurityPolicyUri == UaSecurityAlgorithms.Aes128Sha256RsaOaep.Uri && e.SecurityMode == UaMessageSecurityMode.SignAndEncrypt)).ToArray();
        UaClientOptions options = await SecureOptionsAsync(UaClientSecurity.Auto, mode: null);

        UaEndpointDescription chosen = options.EndpointSelector!(mixed);

        Assert.Equal(2, mixed.Length);
        Assert.Equal((UaSecurityAlgorithms.Aes128Sha256RsaOaep.Uri, UaMessageSecurityMode.SignAndEncrypt), (chosen.SecurityPolicyUri, chosen.SecurityMode));
    }

    /// <summary>
    /// "clear-token": every UserName token policy asks for the password unencrypted (policy None);
    /// "anonymous-only": every UserName token policy removed.
    /// </summary>
    private static UaEndpointDescription Rewrite(UaEndpointDescription endpoint, string rewrite) => rewrite switch
    {
        "clear-token" => endpoint with
        {
            UserIdentityTokens = endpoint.UserIdentityTokens.Select(t => t.TokenType == UaUserTokenType.UserName ? t with { SecurityPolicyUri = UaSecurityPolicyNone.Uri } : t).ToArray(),
        },
        "anonymous-only" => endpoint with { UserIdentityTokens = endpoint.UserIdentityTokens.Where(t => t.TokenType == UaUserTokenType.Anonymous).ToArray() },
        _ => throw new ArgumentOutOfRangeException(nameof(rewrite), rewrite, null),
    };

    private async Task<UaClientOptions> SecureOptionsAsync(string policy, UaMessageSecurityMode? mode) =>
        await OpcUaSecureClients.SecureOptionsAsync(_fixture.Server.EndpointUrl, new UaCertificateStore(_pki), policy, mode, trustServer: true) with
        {
            UserName = "technician",
            Password = Password,
        };

    /// <summary>A user name over None with the opt-in, the server certificate trusted on first use in the test's PKI folder.</summary>
    private UaClientOptions NoneWithPassword(string url)
    {
        UaEndpointUrl.TryParse(url, out UaEndpointUrl? endpoint, out _);
        var validator = new UaCertificateValidator(new UaCertificateStore(Path.Combine(_pki, "tofu")), new UaCertificateValidationOptions(TrustOnFirstUse: true, CheckHostName: false), TimeProvider.System);
        return new UaClientOptions
        {
            Endpoint = endpoint!,
            UserName = "technician",
            Password = Password,
            AllowInsecurePassword = true,
            ServerCertificateValidator = e => validator.Validate(e, "127.0.0.1"),
        };
    }
}
