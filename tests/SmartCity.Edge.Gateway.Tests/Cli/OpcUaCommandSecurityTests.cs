using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmartCity.Edge.Drivers.OpcUa;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// <c>smartcity-edge opcua read|browse</c> on secured endpoints: the real binary against the real node-opcua server
/// (tests/peers/opcua/server.js; it offers Basic256Sha256 and the Aes policies in Sign and SignAndEncrypt, accepts any
/// client certificate and the user technician / s3cret). Each test has its own data_dir, so its own PKI folder.
/// </summary>
public sealed class OpcUaCommandSecurityTests : IClassFixture<OpcUaCommandSecurityTests.ServerFixture>, IDisposable
{
    private const string Value = @"ns=1;s=Scalars.Double\s+Double = 3.14159\s+Good";
    private readonly ServerFixture _server;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("edge-ua-cli-data-").FullName;

    public OpcUaCommandSecurityTests(ServerFixture server) => _server = server;

    private string Endpoint => $"opc.tcp://127.0.0.1:{_server.Port.ToString(CultureInfo.InvariantCulture)}";

    private UaCertificateStore Store => new(Path.Combine(_dataDirectory, "pki"));

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task Read_SignAndEncryptBasic256Sha256UserPasswordFromEnv_ReadsOverThatChannel()
    {
        TrustServer();

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(
            new Dictionary<string, string> { ["PLC_PASSWORD"] = "s3cret" },
            "opcua", "read", Endpoint, "ns=1;s=Scalars.Double", "--policy", "Basic256Sha256", "--mode", "sign_and_encrypt",
            "--user", "technician", "--password-env", "PLC_PASSWORD", "--data-dir", _dataDirectory, "--no-check-hostname");

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(Value, stdout);
        Assert.Contains("Basic256Sha256, SignAndEncrypt, user technician", stderr, StringComparison.Ordinal);

        // The tool created the gateway's application certificate where the service looks for it.
        Assert.True(File.Exists(Store.OwnCertificatePath));
    }

    [Fact]
    public async Task Read_UntrustedServer_FailsWithTrustCommandAndReadsAfterTrust()
    {
        string[] read = ["opcua", "read", Endpoint, "ns=1;s=Scalars.Double", "--policy", "auto", "--data-dir", _dataDirectory, "--no-check-hostname"];

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(read);

        Assert.True(exitCode != 0, stdout);
        Assert.DoesNotMatch(Value, stdout);
        StoredCertificate rejected = Assert.Single(Store.List(Store.RejectedDirectory));
        Assert.Contains("BadCertificateUntrusted", stderr, StringComparison.Ordinal);
        Assert.Contains("smartcity-edge opcua trust " + rejected.Thumbprint, stderr, StringComparison.Ordinal);
        Assert.Contains($"opcua trust {rejected.Thumbprint} --data-dir {_dataDirectory}", stderr, StringComparison.Ordinal);
        Assert.Empty(Store.List(Store.TrustedDirectory));

        (int trustExit, _, string trustError) = await GatewayProcess.RunToEndAsync("opcua", "trust", rejected.Thumbprint, "--data-dir", _dataDirectory);
        Assert.True(trustExit == 0, trustError);

        (exitCode, stdout, stderr) = await GatewayProcess.RunToEndAsync(read);
        Assert.True(exitCode == 0, stderr);
        Assert.Matches(Value, stdout);
        Assert.Contains("Aes256_Sha256_RsaPss, SignAndEncrypt, anonymous", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_ConfigDevice_UsesTheDevicesEndpointSecurityAuthAndDataDir()
    {
        TrustServer();
        string config = Path.Combine(_dataDirectory, "gateway.yaml");
        File.WriteAllText(config, $$"""
            gateway: { id: gw1, data_dir: {{_dataDirectory}} }
            upstream: { console: true }
            devices:
              - id: plc
                driver: opcua
                endpoint: {{Endpoint}}
                security: { policy: Aes128_Sha256_RsaOaep, mode: Sign, check_hostname: false, application_uri: "urn:smartcity-edge:cli-test" }
                auth: { username: technician, password: "${PLC_PASSWORD}" }
                tags:
                  - { id: temp, node: "ns=1;s=Scalars.Double" }
            """);

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(
            new Dictionary<string, string> { ["PLC_PASSWORD"] = "s3cret" }, "opcua", "read", "--config", config, "--device", "plc", "ns=1;s=Scalars.Double");

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(Value, stdout);
        Assert.Contains("Aes128_Sha256_RsaOaep, Sign, user technician", stderr, StringComparison.Ordinal);
        Assert.Equal("urn:smartcity-edge:cli-test", Store.List(Path.GetDirectoryName(Store.OwnCertificatePath)!).Single().ApplicationUri);

        // Security and identity come from the device only: mixing in options is refused before connecting.
        (exitCode, _, stderr) = await GatewayProcess.RunToEndAsync("opcua", "read", "--config", config, "--device", "plc", "--policy", "none", "ns=1;s=Scalars.Double");
        Assert.Equal(2, exitCode);
        Assert.Contains("--policy cannot be combined with --device", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_WrongPasswordFromFile_BadUserAccessDenied()
    {
        TrustServer();
        string passwordFile = Path.Combine(_dataDirectory, "password");
        File.WriteAllText(passwordFile, "not-the-password\n");

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(
            "opcua", "read", Endpoint, "ns=1;s=Scalars.Double", "--mode", "sign_and_encrypt",
            "--user", "technician", "--password-file", passwordFile, "--data-dir", _dataDirectory, "--no-check-hostname");

        Assert.Equal(1, exitCode);
        Assert.DoesNotMatch(Value, stdout);
        Assert.Contains("BadUserAccessDenied", stderr, StringComparison.Ordinal);
        Assert.Contains("the server refused user 'technician'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Browse_X509UserCertificate_ActivatesAndBrowses()
    {
        TrustServer();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=technician, O=SmartCity.Edge tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(1));
        string certificateFile = Path.Combine(_dataDirectory, "user.pem");
        string keyFile = Path.Combine(_dataDirectory, "user.key");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(
            "opcua", "browse", Endpoint, "--path", "/Objects/Park", "--depth", "1", "--policy", "Aes256_Sha256_RsaPss",
            "--user-cert", certificateFile, "--user-key", keyFile, "--data-dir", _dataDirectory, "--no-check-hostname");

        Assert.True(exitCode == 0, stderr);
        Assert.Matches(@"1:Building1\s+ns=1;s=Park.Building1\n", stdout);
        Assert.Contains("Aes256_Sha256_RsaPss, SignAndEncrypt, X.509 user certificate", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--password", "s3cret")]
    [InlineData("--password-env", "NO_SUCH_VARIABLE_FOR_THE_TEST")]
    public async Task Read_PasswordOnCommandLineOrUnsetVariable_RefusedBeforeConnecting(string option, string value)
    {
        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync(
            "opcua", "read", Endpoint, "ns=1;s=Scalars.Double", "--policy", "auto", "--user", "technician", option, value, "--data-dir", _dataDirectory);

        Assert.Equal(2, exitCode);
        Assert.Contains(option == "--password" ? "shell history" : "NO_SUCH_VARIABLE_FOR_THE_TEST is not set", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("connected to", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Store.OwnCertificatePath));
    }

    [Fact]
    public async Task Read_UserOverPolicyNone_RefusedUnlessAllowedThenOnlyToTrustedCertificate()
    {
        var environment = new Dictionary<string, string> { ["PLC_PASSWORD"] = "s3cret" };
        string[] read = ["opcua", "read", Endpoint, "ns=1;s=Scalars.Double", "--user", "technician", "--password-env", "PLC_PASSWORD", "--data-dir", _dataDirectory];

        // No policy means none: refused before anything is sent.
        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync(environment, read);
        Assert.Equal(2, exitCode);
        Assert.Contains("--user over --policy none is refused", stderr, StringComparison.Ordinal);
        Assert.Contains("--allow-insecure-password", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("connected to", stderr, StringComparison.Ordinal);

        // Allowed: the password is encrypted with the server's certificate, which must be trusted first.
        string[] allowed = [.. read, "--allow-insecure-password", "--no-check-hostname"];
        (exitCode, _, stderr) = await GatewayProcess.RunToEndAsync(environment, allowed);
        Assert.Equal(1, exitCode);
        StoredCertificate rejected = Assert.Single(Store.List(Store.RejectedDirectory));
        Assert.Contains("BadCertificateUntrusted", stderr, StringComparison.Ordinal);
        Assert.Contains("smartcity-edge opcua trust " + rejected.Thumbprint, stderr, StringComparison.Ordinal);

        (int trustExit, string trustOutput, _) = await GatewayProcess.RunToEndAsync("opcua", "trust", rejected.Thumbprint[..16], "--data-dir", _dataDirectory);
        Assert.Equal(0, trustExit);
        Assert.Contains("SHA-256 " + rejected.Thumbprint, trustOutput, StringComparison.Ordinal);

        (exitCode, string stdout, stderr) = await GatewayProcess.RunToEndAsync(environment, allowed);
        Assert.True(exitCode == 0, stderr);
        Assert.Matches(Value, stdout);
        Assert.Contains("None, None, user technician", stderr, StringComparison.Ordinal);
    }

    /// <summary>Puts the server's own certificate (from its PKI folder) into our trusted list, as a technician may copy it.</summary>
    private void TrustServer()
    {
        string pem = File.ReadAllText(Path.Combine(_server.PkiDirectory, "server", "own", "certs", "certificate.pem"));
        using X509Certificate2 server = X509Certificate2.CreateFromPem(pem);
        Store.AddTrusted(server);
    }

    /// <summary>One node-opcua server for the class, stopped by PID.</summary>
    public sealed class ServerFixture : IAsyncLifetime
    {
        private PeerProcess _process = null!;

        public string PkiDirectory { get; } = Directory.CreateTempSubdirectory("edge-ua-cli-server-pki-").FullName;

        public int Port => _process.Port;

        public async Task InitializeAsync()
        {
            string peer = Path.Combine(PeerProcess.PeersDirectory, "opcua");
            Assert.True(Directory.Exists(Path.Combine(peer, "node_modules", "node-opcua")), "node-opcua is not installed: run tests/peers/install.sh");
            _process = await PeerProcess.StartAsync("node", Path.Combine(peer, "server.js"), "0", PkiDirectory);
        }

        public async Task DisposeAsync()
        {
            await _process.DisposeAsync();
            Directory.Delete(PkiDirectory, recursive: true);
        }
    }
}
