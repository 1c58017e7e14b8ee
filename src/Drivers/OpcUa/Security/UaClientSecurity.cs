namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Chooses a secured endpoint and builds its <see cref="IUaSecurityPolicy"/> (the <see cref="UaClientOptions"/>
/// seams <see cref="UaClientOptions.EndpointSelector"/> and <see cref="UaClientOptions.SecurityPolicyFactory"/>):
/// policy <c>auto</c> = the strongest endpoint we allow (SignAndEncrypt before Sign, then policy strength); the
/// server's certificate is validated before any secured byte is sent.
/// </summary>
public sealed class UaClientSecurity
{
    public const string Auto = "auto";

    private readonly UaSecurityConfiguration _configuration;
    private readonly UaApplicationCertificate _own;
    private readonly UaCertificateValidator _validator;
    private readonly string _host;

    public UaClientSecurity(UaSecurityConfiguration configuration, UaApplicationCertificate own, UaCertificateValidator validator, string host)
    {
        _configuration = configuration;
        _own = own;
        _validator = validator;
        _host = host;
    }

    public UaApplicationCertificate Own => _own;

    /// <summary>Puts the seams into client options (and our certificate's ApplicationUri, which CreateSession must match).</summary>
    public UaClientOptions Apply(UaClientOptions options) => options with
    {
        SecurityPolicyUri = _configuration.Policy == Auto ? Auto : UaSecurityAlgorithms.All.First(s => s.Name == _configuration.Policy).Uri,
        SecurityMode = _configuration.Mode ?? UaMessageSecurityMode.SignAndEncrypt,
        EndpointSelector = SelectEndpoint,
        SecurityPolicyFactory = CreatePolicy,
        ApplicationUri = _own.ApplicationUri,
    };

    public UaEndpointDescription SelectEndpoint(IReadOnlyList<UaEndpointDescription> endpoints)
    {
        UaEndpointDescription? best = null;
        int bestRank = -1;
        foreach (UaEndpointDescription endpoint in endpoints)
        {
            if (UaSecurityAlgorithms.FromUri(endpoint.SecurityPolicyUri) is not { } suite ||
                (suite.Deprecated && !_configuration.AllowDeprecated) ||
                (_configuration.Policy != Auto && suite.Name != _configuration.Policy) ||
                endpoint.SecurityMode is not (UaMessageSecurityMode.Sign or UaMessageSecurityMode.SignAndEncrypt) ||
                (_configuration.Mode is { } mode && endpoint.SecurityMode != mode))
            {
                continue;
            }

            int rank = ((int)endpoint.SecurityMode * 100) + suite.Strength;
            if (rank > bestRank)
            {
                best = endpoint;
                bestRank = rank;
            }
        }

        if (best is null)
        {
            string offered = string.Join(", ", endpoints.Select(e => $"{e.SecurityPolicyUri?.Split('#')[^1]}/{e.SecurityMode}").Distinct());
            string wanted = $"policy {_configuration.Policy}, mode {(_configuration.Mode?.ToString() ?? "auto")}{(_configuration.AllowDeprecated ? "" : ", deprecated policies not allowed")}";
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadSecurityPolicyRejected), $"the server offers no endpoint matching {wanted}; it offers: {offered}");
        }

        return best;
    }

    public IUaSecurityPolicy CreatePolicy(UaEndpointDescription endpoint)
    {
        UaSecurityAlgorithms suite = UaSecurityAlgorithms.FromUri(endpoint.SecurityPolicyUri)
            ?? throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadSecurityPolicyRejected), $"security policy '{endpoint.SecurityPolicyUri}' is not supported");
        _validator.Validate(endpoint, _host);
        return new UaSecurityPolicyRsa(suite, endpoint.SecurityMode, _own.Certificate, _own.PrivateKey, UaCertificateInfo.LeafOf(endpoint.ServerCertificate!), () => _validator.Validate(endpoint, _host));
    }
}

/// <summary>The <c>security:</c> block of an OPC UA device.</summary>
/// <param name="Policy"><c>None</c>, <c>auto</c> or a policy name (Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, Basic256, Basic128Rsa15).</param>
/// <param name="Mode">Sign or SignAndEncrypt; null = auto (SignAndEncrypt preferred). None only with policy None.</param>
/// <param name="AllowDeprecated">Allow Basic128Rsa15 and Basic256 (SHA-1; old equipment only).</param>
/// <param name="TrustOnFirstUse">Trust the first server certificate seen while the trust list is empty.</param>
/// <param name="CheckHostName">Require the endpoint's host in the server certificate.</param>
/// <param name="CertificateValidity">Validity of the application certificate created on first start.</param>
/// <param name="ApplicationUri">Our ApplicationUri (in the certificate's SubjectAltName and CreateSession).</param>
public sealed record UaSecurityConfiguration(
    string Policy,
    UaMessageSecurityMode? Mode,
    bool AllowDeprecated,
    bool TrustOnFirstUse,
    bool CheckHostName,
    TimeSpan CertificateValidity,
    string ApplicationUri)
{
    public static string DefaultApplicationUri => "urn:smartcity-edge:" + System.Net.Dns.GetHostName();

    public static UaSecurityConfiguration None { get; } = new("None", UaMessageSecurityMode.None, false, false, true, TimeSpan.FromDays(365 * 5), DefaultApplicationUri);

    public bool IsNone => Policy == "None";
}
