using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SmartCity.Edge.Drivers.Configuration;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary><c>ca_file</c>, <c>client_cert</c> and <c>client_key</c> of a webhook or of <c>upstream.mqtt</c>.</summary>
public sealed partial class GatewayConfigurationLoader
{
    /// <summary>Largest PEM file read: the system's whole CA bundle is about 200 KiB.</summary>
    private const int MaxPemBytes = 1 << 20;

    /// <summary>
    /// Reads the PEM files now, so a missing, unreadable or garbage file is a problem at its key (the messages name
    /// the file, never its contents). Each is read like a secret file: regular files only, bounded, never blocking.
    /// Null after reporting a problem.
    /// </summary>
    private static TlsFiles? ReadTlsFiles(ConfigSection section, string? caFile, string? clientCert, string? clientKey)
    {
        bool ok = true;
        X509Certificate2Collection? roots = null;
        if (caFile is not null && ReadPem(section, "ca_file", caFile) is { } caPem)
        {
            try
            {
                roots = [];
                roots.ImportFromPem(caPem);
                if (roots.Count == 0)
                {
                    section.Error("ca_file", $"file '{caFile}' holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
                    ok = false;
                }
            }
            catch (CryptographicException ex)
            {
                section.Error("ca_file", $"file '{caFile}' is not a valid PEM certificate: {ex.Message}");
                ok = false;
            }
        }
        else
        {
            ok &= caFile is null;
        }

        X509Certificate2? client = null;
        if (clientCert is null != clientKey is null)
        {
            section.Error(clientCert is null ? "client_key" : "client_cert", "client_cert and client_key go together: set both for mutual TLS, or neither");
            ok = false;
        }
        else if (clientCert is not null && clientKey is not null)
        {
            string? certPem = ReadPem(section, "client_cert", clientCert);
            string? keyPem = ReadPem(section, "client_key", clientKey);
            if (certPem is not null && keyPem is not null)
            {
                try
                {
                    client = X509Certificate2.CreateFromPem(certPem, keyPem);
                }
                catch (CryptographicException ex)
                {
                    // The message says what is wrong (no certificate, no key, key not matching); it never quotes the key.
                    section.Error("client_cert", $"cannot use client_cert '{clientCert}' with client_key '{clientKey}': {ex.Message}");
                    ok = false;
                }
            }
            else
            {
                ok = false;
            }
        }

        return ok ? new TlsFiles(caFile, clientCert, clientKey, roots, client) : null;
    }

    private static string? ReadPem(ConfigSection section, string key, string file)
    {
        string fullPath = Path.GetFullPath(file, section.Context.BaseDirectory);
        if (!RegularFile.TryRead(fullPath, "file", MaxPemBytes, out byte[]? bytes, out string? problem))
        {
            section.Error(key, problem);
            return null;
        }

        if (!StrictUtf8.TryDecode(bytes, out string? text, out Utf8Error invalid))
        {
            section.Error(key, $"file '{fullPath}' is not PEM text: it {invalid.Describe()}");
            return null;
        }

        return text;
    }
}
