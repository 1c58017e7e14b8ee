using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary><c>smartcity-edge opcua certs --export DIR</c> on the real binary; the files are read back by OpenSSL.</summary>
public sealed class OpcUaCertificateExportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-export-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Export_WithSecuredDevice_CreatesCertificate_WritesDerAndPemOpenSslReads_NoPrivateKey()
    {
        string config = TestConfigs.Write(_directory, $$"""
            gateway:
              id: export-gw
              data_dir: {{_directory}}/data
            devices:
              - id: plc
                driver: opcua
                endpoint: opc.tcp://127.0.0.1:4840
                security: { policy: Basic256Sha256, mode: SignAndEncrypt, application_uri: "urn:park-7:gateway" }
                tags:
                  - { id: door, node: "ns=1;s=Door1.Open" }
            """);
        string export = Path.Combine(_directory, "for-the-plc");

        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync("opcua", "certs", "--export", export, "--config", config);

        Assert.True(exitCode == 0, stderr);
        string own = Path.Combine(_directory, "data", "pki", "own", "certs", "smartcity-edge.der");
        Assert.Contains($"created the gateway's application certificate {own} (ApplicationUri urn:park-7:gateway)", stdout, StringComparison.Ordinal);
        using X509Certificate2 certificate = X509CertificateLoader.LoadCertificateFromFile(own);
        string sha256 = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        Assert.Contains("SHA-256      " + sha256, stdout, StringComparison.Ordinal);

        // OpenSSL, an independent reader, finds the same certificate in both files.
        foreach ((string file, string form) in new[] { ("smartcity-edge.der", "DER"), ("smartcity-edge.pem", "PEM") })
        {
            string read = await OpenSslAsync("x509", "-inform", form, "-in", Path.Combine(export, file), "-noout", "-fingerprint", "-sha256", "-ext", "subjectAltName");
            Assert.Contains("sha256 Fingerprint=" + string.Join(':', Enumerable.Range(0, 32).Select(i => sha256.Substring(2 * i, 2))), read, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("URI:urn:park-7:gateway", read, StringComparison.Ordinal);
        }

        // Only the public part leaves the PKI folder; the note says where tools take it.
        Assert.All(Directory.GetFiles(export), f => Assert.DoesNotContain("PRIVATE KEY", File.ReadAllText(f), StringComparison.Ordinal));
        string note = await File.ReadAllTextAsync(Path.Combine(export, "README.txt"));
        foreach (string tool in new[] { "TIA Portal", "TwinCAT", "Kepware", "Prosys", "UA SDK", sha256 })
        {
            Assert.Contains(tool, note, StringComparison.Ordinal);
        }

        // A second export finds the certificate and does not create another.
        (exitCode, stdout, stderr) = await GatewayProcess.RunToEndAsync("opcua", "certs", "--export", export, "--config", config);
        Assert.True(exitCode == 0, stderr);
        Assert.DoesNotContain("created", stdout, StringComparison.Ordinal);
        Assert.Equal(certificate.RawData, await File.ReadAllBytesAsync(Path.Combine(export, "smartcity-edge.der")));
    }

    [Fact]
    public async Task Export_EmptyPkiWithoutConfiguration_SaysHowTheCertificateComesToExist()
    {
        (int exitCode, _, string stderr) = await GatewayProcess.RunToEndAsync("opcua", "certs", "--export", Path.Combine(_directory, "out"), "--pki", Path.Combine(_directory, "pki"));

        Assert.Equal(1, exitCode);
        Assert.Contains("there is no application certificate in", stderr, StringComparison.Ordinal);
        Assert.Contains("created by the first secured OPC UA connection", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_directory, "out")));
    }

    private static async Task<string> OpenSslAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("openssl did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Long);
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', arguments)}: {error}");
        return await output;
    }
}
