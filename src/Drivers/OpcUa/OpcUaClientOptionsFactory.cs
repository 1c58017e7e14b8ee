using System.Security.Cryptography;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Turns <see cref="OpcUaSettings"/> into <see cref="UaClientOptions"/>: endpoint, timeouts, identity, and for a
/// secured <c>security:</c> block the application certificate under <c>{data_dir}/pki</c> and the server
/// certificate checks. The one place this happens, so the driver and the technician tool
/// (<c>smartcity-edge opcua browse|read</c>) connect exactly alike.
/// </summary>
public static class OpcUaClientOptionsFactory
{
    /// <summary>Builds the client options; loads (or creates) our certificate when the security block asks for one.</summary>
    /// <param name="settings">The device's validated settings.</param>
    /// <param name="sessionName">The session name the server shows.</param>
    /// <param name="dataDirectory">The gateway's data_dir; the PKI folder is its <c>pki</c> subfolder.</param>
    /// <param name="subject">Start of error messages, e.g. "OPC UA device plc1".</param>
    /// <param name="time">The clock (certificate validity).</param>
    /// <param name="trustedOnFirstUse">Told (SHA-256 fingerprint, file) when trust_on_first_use added a server certificate.</param>
    /// <param name="ownCertificate">Told which application certificate the connection uses (created, renewed or loaded), for a secured policy.</param>
    /// <exception cref="DeviceException">Kind "config": the application or user certificate cannot be loaded or created.</exception>
    public static UaClientOptions Create(OpcUaSettings settings, string sessionName, string dataDirectory, string subject, TimeProvider time, Action<string, string>? trustedOnFirstUse = null, Action<UaApplicationCertificate>? ownCertificate = null)
    {
        var options = new UaClientOptions
        {
            Endpoint = settings.Endpoint,
            UserName = settings.UserName,
            Password = settings.Password,
            AllowInsecurePassword = settings.AllowInsecurePassword,
            SessionName = sessionName,
            SessionTimeout = settings.SessionTimeout,
            RequestTimeout = settings.RequestTimeout,
        };
        if (!settings.Security.IsNone)
        {
            UaClientSecurity security = CreateSecurity(settings, dataDirectory, subject, time, trustedOnFirstUse);
            ownCertificate?.Invoke(security.Own);
            options = security.Apply(options);
        }
        else if (settings.UserName is not null && settings.AllowInsecurePassword)
        {
            // No secured channel, but the password is encrypted with the server's certificate: only once the trust
            // list accepts it (the same checks and PKI folder as a secured channel).
            UaCertificateValidator validator = CreateValidator(settings.Security, new UaCertificateStore(Path.Combine(dataDirectory, "pki")), time, trustedOnFirstUse);
            string host = settings.Endpoint.Host;
            options = options with { ServerCertificateValidator = endpoint => validator.Validate(endpoint, host) };
        }

        if (settings.UserCertificate is { } files)
        {
            try
            {
                options = options with { UserCertificate = UaUserCertificate.Load(files.CertificateFile, files.KeyFile) };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new DeviceException($"{subject}: cannot load the user certificate {files.CertificateFile} / key {files.KeyFile}: {ex.Message}", ex) { Kind = "config" };
            }
        }

        return options;
    }

    /// <summary>Loads (or creates) the application certificate under {data_dir}/pki and sets up server certificate checks.</summary>
    private static UaClientSecurity CreateSecurity(OpcUaSettings settings, string dataDirectory, string subject, TimeProvider time, Action<string, string>? trustedOnFirstUse)
    {
        UaSecurityConfiguration security = settings.Security;
        var store = new UaCertificateStore(Path.Combine(dataDirectory, "pki"));
        UaApplicationCertificate own;
        try
        {
            own = store.LoadOrCreateOwn(security.ApplicationUri, "SmartCity.Edge", security.CertificateValidity, time);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new DeviceException($"{subject}: cannot load or create the application certificate in {store.Root}: {ex.Message}", ex) { Kind = "config" };
        }

        return new UaClientSecurity(security, own, CreateValidator(security, store, time, trustedOnFirstUse), settings.Endpoint.Host);
    }

    private static UaCertificateValidator CreateValidator(UaSecurityConfiguration security, UaCertificateStore store, TimeProvider time, Action<string, string>? trustedOnFirstUse)
    {
        try
        {
            // Certificates saved by older versions are named after their SHA-1 thumbprint: the same SHA-256 names everywhere.
            store.UpgradeLegacyFileNames();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Cosmetic only; a read-only or missing folder shows up as a clear error when it is used.
        }

        var validator = new UaCertificateValidator(store, new UaCertificateValidationOptions(security.TrustOnFirstUse, security.CheckHostName), time);
        if (trustedOnFirstUse is not null)
        {
            validator.TrustedOnFirstUse += trustedOnFirstUse;
        }

        return validator;
    }
}
