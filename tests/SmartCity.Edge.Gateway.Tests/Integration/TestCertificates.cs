using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>
/// Real certificates for TLS tests, written as PEM files: a private CA (as a park's security desk runs), a server
/// certificate it signed for 127.0.0.1 and localhost, and a client certificate for mutual TLS signed by a second CA.
/// </summary>
internal sealed class TestCertificates
{
    private TestCertificates(string directory)
    {
        CaFile = Path.Combine(directory, "desk-ca.pem");
        ServerCertFile = Path.Combine(directory, "desk.pem");
        ServerKeyFile = Path.Combine(directory, "desk-key.pem");
        ClientCaFile = Path.Combine(directory, "gateways-ca.pem");
        ClientCertFile = Path.Combine(directory, "gateway.pem");
        ClientKeyFile = Path.Combine(directory, "gateway-key.pem");
    }

    public string CaFile { get; }

    public string ServerCertFile { get; }

    public string ServerKeyFile { get; }

    public string ClientCaFile { get; }

    public string ClientCertFile { get; }

    public string ClientKeyFile { get; }

    public static TestCertificates Create(string directory)
    {
        var files = new TestCertificates(directory);
        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 ca = CreateCa("CN=Desk Test CA", caKey);
        File.WriteAllText(files.CaFile, ca.ExportCertificatePem());

        using ECDsa serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var server = new CertificateRequest("CN=desk", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        server.CertificateExtensions.Add(names.Build());
        server.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        server.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        WriteSigned(server, ca, serverKey, files.ServerCertFile, files.ServerKeyFile);

        using ECDsa clientCaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 clientCa = CreateCa("CN=Gateways Test CA", clientCaKey);
        File.WriteAllText(files.ClientCaFile, clientCa.ExportCertificatePem());

        using ECDsa clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new CertificateRequest("CN=alarm-gw", clientKey, HashAlgorithmName.SHA256);
        client.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        client.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        WriteSigned(client, clientCa, clientKey, files.ClientCertFile, files.ClientKeyFile);
        return files;
    }

    private static X509Certificate2 CreateCa(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    private static void WriteSigned(CertificateRequest request, X509Certificate2 issuer, ECDsa key, string certFile, string keyFile)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using X509Certificate2 certificate = request.Create(issuer, now.AddHours(-1), now.AddDays(7), serial);
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
