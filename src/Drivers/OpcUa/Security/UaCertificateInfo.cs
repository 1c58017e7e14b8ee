using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Reads what OPC UA puts into a certificate's SubjectAltName (OPC 10000-6 §6.2.2): the ApplicationUri and host names.</summary>
public static class UaCertificateInfo
{
    private const string SubjectAltNameOid = "2.5.29.17";
    private static readonly Asn1Tag s_uriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>The first URI of the SubjectAltName (GeneralName [6] uniformResourceIdentifier), or null.</summary>
    public static string? ApplicationUriOf(X509Certificate2 certificate)
    {
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
                AsnReader names = reader.ReadSequence();
                while (names.HasData)
                {
                    Asn1Tag tag = names.PeekTag();
                    if (tag.HasSameClassAndValue(s_uriTag))
                    {
                        return names.ReadCharacterString(UniversalTagNumber.IA5String, s_uriTag);
                    }

                    names.ReadEncodedValue();
                }
            }
            catch (AsnContentException)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>DNS names and IP addresses of the SubjectAltName.</summary>
    public static IReadOnlyList<string> HostNamesOf(X509Certificate2 certificate)
    {
        var hosts = new List<string>();
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                try
                {
                    hosts.AddRange(san.EnumerateDnsNames());
                    hosts.AddRange(san.EnumerateIPAddresses().Select(static (IPAddress ip) => ip.ToString()));
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // Malformed SAN: no host names.
                }
            }
        }

        return hosts;
    }

    /// <summary>The leaf of a certificate field that may hold a chain (DER certificates back to back, leaf first).</summary>
    public static byte[] LeafOf(byte[] der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            return reader.ReadEncodedValue().ToArray();
        }
        catch (AsnContentException)
        {
            return der;
        }
    }
}
