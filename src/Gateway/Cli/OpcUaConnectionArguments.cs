using SmartCity.Edge.Drivers.OpcUa;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// The connection half of <c>opcua browse|read</c>: an endpoint URL with <c>--policy/--mode/--user/…</c>, or
/// <c>--config FILE --device ID</c> for exactly what the service uses. Both end as <see cref="OpcUaSettings"/>, which
/// <see cref="OpcUaClientOptionsFactory"/> turns into client options the same way the driver does.
/// </summary>
internal sealed class OpcUaConnectionArguments
{
    /// <summary>The help lines of these options (shared by browse and read).</summary>
    public const string Usage =
        "    CONNECTION: opc.tcp://HOST:PORT [--policy None|auto|Basic256Sha256|Aes128_Sha256_RsaOaep|Aes256_Sha256_RsaPss]\n" +
        "                [--mode Sign|SignAndEncrypt] [--no-check-hostname] [--data-dir DIR]\n" +
        "                [--user NAME (--password-env VAR | --password-file PATH) [--allow-insecure-password] | --user-cert PATH --user-key PATH]\n" +
        "              | --config FILE --device ID   (endpoint, security and auth of that opcua device, as the service uses them)\n" +
        "    --policy defaults to None, or auto when --mode is given; auto takes the strongest endpoint offered. The names\n" +
        "    are security.policy's and security.mode's in the YAML (sign, sign_and_encrypt and none are accepted too).\n" +
        "    Secured policies use the gateway's PKI, DIR/pki (default DIR: data_dir of --config, else ./data/demo as `run`);\n" +
        "    an untrusted server certificate is saved in pki/rejected: check it, run the `opcua trust` command printed.\n" +
        "    There is no --password: a password on the command line ends up in the shell history and in ps.\n" +
        "    --user with --policy none is refused unless --allow-insecure-password (as auth.allow_insecure_password): the password\n" +
        "    is then only sent encrypted with the server's certificate, once that is trusted in DIR/pki.";

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private bool _noCheckHostName;
    private bool _allowInsecurePassword;

    /// <summary>The positional endpoint URL, when given.</summary>
    public string? EndpointText { get; set; }

    /// <summary>Takes <paramref name="arg"/> (and its value) when it is a connection option; false when it is not one.</summary>
    public bool TryTake(string arg, string? next, ref int index, out string? error)
    {
        error = null;
        switch (arg)
        {
            case "--no-check-hostname":
                _noCheckHostName = true;
                return true;
            case "--allow-insecure-password":
                _allowInsecurePassword = true;
                return true;
            case "--password":
                error = "--password is not accepted: a password on the command line ends up in the shell history and in ps. " +
                    "Use --password-env VAR (an environment variable) or --password-file PATH (a file readable only by you)";
                return true;
            case "--policy" or "--mode" or "--user" or "--password-env" or "--password-file" or "--user-cert" or "--user-key" or "--data-dir" or "--config" or "--device":
                if (next is null || next.StartsWith("--", StringComparison.Ordinal))
                {
                    error = $"{arg} needs a value";
                    return true;
                }

                _values[arg] = next;
                index++;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Resolves the options into settings and the data_dir whose PKI is used; false with the reason printed.</summary>
    public bool TryResolve(TextWriter error, out OpcUaConnection? connection)
    {
        connection = null;
        return _values.ContainsKey("--device") ? TryResolveDevice(error, ref connection) : TryResolveEndpoint(error, ref connection);
    }

    private bool TryResolveDevice(TextWriter error, ref OpcUaConnection? connection)
    {
        if (EndpointText is not null)
        {
            return Fail(error, "give either an endpoint URL or --device ID, not both (the device's endpoint is used)");
        }

        string[] conflicting = ["--policy", "--mode", "--user", "--password-env", "--password-file", "--user-cert", "--user-key"];
        string? option = _noCheckHostName ? "--no-check-hostname" : _allowInsecurePassword ? "--allow-insecure-password" : conflicting.FirstOrDefault(_values.ContainsKey);
        if (option is not null)
        {
            return Fail(error, $"{option} cannot be combined with --device: the device's security and auth blocks are used, so you test what the service uses");
        }

        if (!TryLoadConfiguration(error, out GatewayConfiguration? configuration))
        {
            return false;
        }

        string id = _values["--device"];
        DeviceConfiguration? device = configuration.Devices.FirstOrDefault(d => d.Id == id);
        if (device?.Settings is not OpcUaSettings settings)
        {
            string[] opcua = configuration.Devices.Where(d => d.Settings is OpcUaSettings).Select(d => d.Id).ToArray();
            string known = opcua.Length == 0 ? "it has no opcua devices" : "its opcua devices: " + string.Join(", ", opcua);
            return Fail(error, device is null
                ? $"there is no device '{id}' in {configuration.SourceFile}; {known}"
                : $"device '{id}' uses driver '{device.Descriptor.Driver}', not opcua; {known}");
        }

        connection = new OpcUaConnection(settings, _values.GetValueOrDefault("--data-dir") ?? configuration.Gateway.DataDirectory);
        return true;
    }

    private bool TryResolveEndpoint(TextWriter error, ref OpcUaConnection? connection)
    {
        if (EndpointText is null)
        {
            return Fail(error, "give the server's endpoint URL (opc.tcp://HOST:PORT) or --config FILE --device ID");
        }

        if (!UaEndpointUrl.TryParse(EndpointText, out UaEndpointUrl? endpoint, out string? urlError))
        {
            return Fail(error, urlError);
        }

        UaMessageSecurityMode? mode = null;
        if (_values.TryGetValue("--mode", out string? modeText))
        {
            // The YAML's names and their aliases, less None (no security is --policy None) and auto (leave --mode out).
            if (!OpcUaSecurityNames.Modes.TryGetValue(modeText, out UaMessageSecurityMode? parsed) || parsed is null or UaMessageSecurityMode.None)
            {
                return Fail(error, $"--mode '{modeText}' is not one of Sign, SignAndEncrypt{Suggest(modeText, OpcUaSecurityNames.Modes.Where(m => m.Value is UaMessageSecurityMode.Sign or UaMessageSecurityMode.SignAndEncrypt).Select(m => m.Key), OpcUaSecurityNames.ModeAliases)} (leave it out to take the best the server offers)");
            }

            mode = parsed;
        }

        string policy = mode is null ? OpcUaSecurityNames.NoPolicy : UaClientSecurity.Auto;
        if (_values.TryGetValue("--policy", out string? policyText))
        {
            if (!OpcUaSecurityNames.Policies.TryGetValue(policyText, out string? canonical) || OpcUaSecurityNames.IsDeprecated(canonical))
            {
                string[] offered = OpcUaSecurityNames.Listed(OpcUaSecurityNames.Policies, OpcUaSecurityNames.PolicyAliases).Where(p => !OpcUaSecurityNames.IsDeprecated(p)).ToArray();
                string why = canonical is not null ? " (deprecated policies only with a device's security.allow_deprecated: true: use --config FILE --device ID)" : Suggest(policyText, offered, OpcUaSecurityNames.PolicyAliases);
                return Fail(error, $"--policy '{policyText}' is not one of {string.Join(", ", offered)}{why}");
            }

            policy = canonical;
        }

        if (policy == OpcUaSecurityNames.NoPolicy && mode is not null)
        {
            return Fail(error, "--policy None cannot be combined with --mode; choose --policy auto (or a policy name) for Sign or SignAndEncrypt");
        }

        if (!TryReadIdentity(error, out string? user, out string? password, out OpcUaUserCertificateFiles? userCertificate))
        {
            return false;
        }

        if (user is not null && policy == "None" && !_allowInsecurePassword)
        {
            return Fail(error,
                "--user over --policy none is refused: the channel neither signs nor encrypts. Use --policy auto (or --mode sign_and_encrypt), " +
                "or, for a server that offers nothing else, --allow-insecure-password (the password is then only sent encrypted with the server's trusted certificate)");
        }

        string? dataDirectory = _values.GetValueOrDefault("--data-dir");
        if (dataDirectory is null)
        {
            // The data_dir of --config, else of the configuration `run` and `opcua trust` use without --config.
            if (!TryLoadConfiguration(error, out GatewayConfiguration? configuration))
            {
                return false;
            }

            dataDirectory = configuration.Gateway.DataDirectory;
        }

        dataDirectory = Path.GetFullPath(dataDirectory);
        var security = UaSecurityConfiguration.None with { CheckHostName = !_noCheckHostName };
        if (policy != OpcUaSecurityNames.NoPolicy)
        {
            security = new UaSecurityConfiguration(
                policy, mode, AllowDeprecated: false, TrustOnFirstUse: false, CheckHostName: !_noCheckHostName, TimeSpan.FromDays(365 * 5), ExistingApplicationUri(dataDirectory));
        }

        // A tool session: the server may drop it a minute after we are gone; the request timeout is the driver's default.
        var settings = new OpcUaSettings(
            endpoint, security, user, password, userCertificate, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10), [])
        {
            AllowInsecurePassword = _allowInsecurePassword && user is not null && policy == "None",
        };
        connection = new OpcUaConnection(settings, dataDirectory);
        return true;
    }

    private bool TryReadIdentity(TextWriter error, out string? user, out string? password, out OpcUaUserCertificateFiles? userCertificate)
    {
        user = _values.GetValueOrDefault("--user");
        password = null;
        userCertificate = null;
        string? passwordEnv = _values.GetValueOrDefault("--password-env");
        string? passwordFile = _values.GetValueOrDefault("--password-file");
        string? certificateFile = _values.GetValueOrDefault("--user-cert");
        string? keyFile = _values.GetValueOrDefault("--user-key");
        if (certificateFile is not null || keyFile is not null)
        {
            if (certificateFile is null || keyFile is null)
            {
                return Fail(error, "an X.509 user identity needs both --user-cert PATH and --user-key PATH");
            }

            if (user is not null || passwordEnv is not null || passwordFile is not null)
            {
                return Fail(error, "give either --user (with a password) or --user-cert/--user-key, not both");
            }

            userCertificate = new OpcUaUserCertificateFiles(Path.GetFullPath(certificateFile), Path.GetFullPath(keyFile));
            return true;
        }

        if (user is null)
        {
            return passwordEnv is null && passwordFile is null || Fail(error, "--password-env/--password-file need --user NAME");
        }

        if ((passwordEnv is null) == (passwordFile is null))
        {
            return Fail(error, "--user needs its password from exactly one of --password-env VAR or --password-file PATH (an empty file for an empty password)");
        }

        if (passwordEnv is not null)
        {
            password = Environment.GetEnvironmentVariable(passwordEnv);
            return password is not null || Fail(error, $"--password-env: the environment variable {passwordEnv} is not set");
        }

        try
        {
            // The first line: `echo secret > file` adds a newline that is not part of the password.
            password = File.ReadAllText(passwordFile!).Split('\n')[0].TrimEnd('\r');
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(error, $"--password-file: cannot read {passwordFile}: {ex.Message}");
        }
    }

    private bool TryLoadConfiguration(TextWriter error, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GatewayConfiguration? configuration)
    {
        string[] args = _values.TryGetValue("--config", out string? file) ? ["--config", file] : [];
        ConfigurationLoadResult loaded = ConfigArguments.Load(args);
        configuration = loaded.Configuration;
        if (configuration is null)
        {
            ConfigArguments.PrintProblems(loaded.Problems, error);
            return false;
        }

        return true;
    }

    /// <summary>
    /// The ApplicationUri of the certificate already in the PKI folder (the gateway's, maybe with its configured
    /// application_uri): the tool must not replace it with one for another URI, or every server would see a new,
    /// untrusted gateway. Without one, the driver's default.
    /// </summary>
    private static string ExistingApplicationUri(string dataDirectory)
    {
        var store = new UaCertificateStore(Path.Combine(dataDirectory, "pki"));
        StoredCertificate? own = store.List(Path.GetDirectoryName(store.OwnCertificatePath)!).FirstOrDefault(c => c.Path == store.OwnCertificatePath);
        return own?.ApplicationUri ?? UaSecurityConfiguration.DefaultApplicationUri;
    }

    /// <summary>" (did you mean 'SignAndEncrypt'?)": the nearest accepted spelling, printed as the YAML writes it.</summary>
    private static string Suggest(string typed, IEnumerable<string> accepted, IReadOnlyDictionary<string, string> aliases) =>
        Drivers.Configuration.DidYouMean.Suggest(typed, accepted) is { } suggestion
            ? $" (did you mean '{aliases.GetValueOrDefault(suggestion, suggestion)}'?)"
            : string.Empty;

    private static bool Fail(TextWriter error, string? message)
    {
        error.WriteLine("opcua: " + message);
        return false;
    }
}

/// <summary>What <c>opcua browse|read</c> connects with: the device settings and the data_dir whose <c>pki</c> folder is used.</summary>
internal sealed record OpcUaConnection(OpcUaSettings Settings, string DataDirectory);
