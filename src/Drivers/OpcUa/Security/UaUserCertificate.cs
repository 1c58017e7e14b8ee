using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>An X.509 user identity: the user's certificate (DER) and RSA key.</summary>
public sealed record UaUserCertificate(byte[] Certificate, RSA PrivateKey)
{
    /// <summary>Loads a certificate (PEM or DER) and its RSA key (PEM, PKCS#8 or PKCS#1).</summary>
    public static UaUserCertificate Load(string certificateFile, string keyFile)
    {
        byte[] raw = File.ReadAllBytes(certificateFile);
        using X509Certificate2 certificate = raw.Length > 0 && raw[0] == (byte)'-'
            ? X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(raw))
            : X509CertificateLoader.LoadCertificate(raw);
        var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(keyFile));
        if (!certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new CryptographicException($"the key in {keyFile} does not belong to the certificate in {certificateFile}");
        }

        return new UaUserCertificate(certificate.RawData, key);
    }
}
