using System.Net;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Snmp;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge snmp get|walk</c>: asks one SNMP agent directly with the driver's own stack and prints what it
/// answers the way net-snmp's <c>snmpget -On</c> does (<c>.OID = TYPE: value</c>), or the clear reason it cannot
/// (wrong community, wrong v3 password, unknown user). With <c>--config FILE --device ID</c> it uses exactly the
/// device's address and credentials, so a technician tests what the service will use.
/// </summary>
internal sealed class SnmpCommand : ICliCommand
{
    private static readonly string[] s_valueOptions =
    [
        "--version", "--community", "--community-file", "--user", "--level", "--auth-protocol", "--auth-password-file",
        "--auth-password-env", "--priv-protocol", "--priv-password-file", "--priv-password-env", "--context", "--timeout",
        "--retries", "--max-repetitions", "--max-rows", "--config", "--device",
    ];

    public string Name => "snmp";

    public string Usage =>
        "snmp get  HOST[:PORT] OID... [AGENT OPTIONS]      (as snmpget -On: .OID = TYPE: value)\n" +
        "snmp walk HOST[:PORT] OID [--max-repetitions 25] [--max-rows 10000] [AGENT OPTIONS]   (GetBulk; GetNext on v1)\n" +
        "   AGENT OPTIONS: [--version 1|2c|3] [--community C | --community-file F] [--timeout 2s] [--retries 1]\n" +
        "     v3: --user U [--level authNoPriv|authPriv|noAuthNoPriv] [--auth-protocol sha|sha224|sha256|sha384|sha512|md5]\n" +
        "         --auth-password-file F | --auth-password-env VAR  [--priv-protocol aes|des --priv-password-file F | --priv-password-env VAR] [--context NAME]\n" +
        "   or: snmp get|walk --config FILE --device ID OID...   (the address and credentials of that snmp device)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is not ("get" or "walk"))
        {
            return Fail("say 'snmp get' or 'snmp walk'");
        }

        bool walk = args[0] == "walk";
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (!s_valueOptions.Contains(args[i]))
                {
                    return Fail($"unknown option {args[i]}");
                }

                if (i + 1 >= args.Length)
                {
                    return Fail($"{args[i]} needs a value");
                }

                options[args[i]] = args[++i];
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        SnmpClientOptions? clientOptions;
        string? error;
        if (options.ContainsKey("--device"))
        {
            (clientOptions, error) = await FromDeviceAsync(options, cancellationToken);
        }
        else
        {
            if (positional.Count == 0)
            {
                return Fail("give the agent's HOST[:PORT] first, or --config FILE --device ID");
            }

            (clientOptions, error) = await FromArgumentsAsync(positional[0], options, cancellationToken);
            positional.RemoveAt(0);
        }

        if (clientOptions is null)
        {
            return Fail(error!);
        }

        var oids = new List<SnmpOid>();
        foreach (string text in positional)
        {
            if (!SnmpOid.TryParse(text, out SnmpOid oid, out string? oidError))
            {
                return Fail($"OID {oidError}");
            }

            oids.Add(oid);
        }

        if (oids.Count == 0 || (walk && oids.Count != 1))
        {
            return Fail(walk ? "give one OID to walk, e.g. 1.3.6.1.2.1.2.2.1.2" : "give at least one OID, e.g. 1.3.6.1.2.1.1.3.0");
        }

        using var client = new SnmpClient(clientOptions, TimeProvider.System);
        try
        {
            if (walk)
            {
                int repetitions = int.TryParse(options.GetValueOrDefault("--max-repetitions", "25"), out int r) && r is > 0 and <= 1000 ? r : 25;
                int maxRows = int.TryParse(options.GetValueOrDefault("--max-rows", "10000"), out int m) && m > 0 ? m : 10000;
                IReadOnlyList<SnmpVarBind> rows = await client.WalkAsync(oids[0], repetitions, maxRows, cancellationToken);
                foreach (SnmpVarBind row in rows)
                {
                    Console.Out.WriteLine(row.ToString());
                }

                if (rows.Count == 0)
                {
                    Console.Error.WriteLine($"snmp: nothing below {oids[0]} (or not in the user's view)");
                }

                return 0;
            }

            SnmpPdu reply = await client.GetAsync(oids, cancellationToken);
            if (reply.ErrorStatus != 0)
            {
                SnmpClient.ThrowOnError(reply, oids);
            }

            foreach (SnmpVarBind varBind in reply.VarBinds)
            {
                Console.Out.WriteLine(varBind.ToString());
            }

            return 0;
        }
        catch (SnmpException ex)
        {
            Console.Error.WriteLine($"snmp: {clientOptions.Agent}: {ex.Message}");
            return 1;
        }
    }

    private static async Task<(SnmpClientOptions?, string?)> FromDeviceAsync(Dictionary<string, string> options, CancellationToken cancellationToken)
    {
        string[] conflicting = ["--version", "--community", "--community-file", "--user", "--level", "--auth-protocol", "--auth-password-file", "--auth-password-env", "--priv-protocol", "--priv-password-file", "--priv-password-env", "--context"];
        if (conflicting.FirstOrDefault(options.ContainsKey) is { } option)
        {
            return (null, $"{option} cannot be combined with --device: the device's own settings are used, so you test what the service uses");
        }

        if (!options.TryGetValue("--config", out _))
        {
            return (null, "--device needs --config FILE");
        }

        ConfigurationLoadResult loaded = ConfigArguments.Load(["--config", options["--config"]]);
        if (loaded.Configuration is not { } configuration)
        {
            ConfigArguments.PrintProblems(loaded.Problems, Console.Error);
            return (null, "the configuration has problems (above)");
        }

        string id = options["--device"];
        DeviceConfiguration? device = configuration.Devices.FirstOrDefault(d => d.Id == id);
        if (!SnmpClientOptionsFactory.IsSnmp(device?.Settings))
        {
            string[] snmp = configuration.Devices.Where(d => SnmpClientOptionsFactory.IsSnmp(d.Settings)).Select(d => d.Id).ToArray();
            string known = snmp.Length == 0 ? "it has no snmp devices" : "its snmp devices: " + string.Join(", ", snmp);
            return (null, device is null ? $"there is no device '{id}' in {configuration.SourceFile}; {known}" : $"device '{id}' uses driver '{device.Descriptor.Driver}', not snmp; {known}");
        }

        SnmpClientOptions client;
        try
        {
            client = await SnmpClientOptionsFactory.ForDeviceAsync(device!.Settings, cancellationToken);
        }
        catch (Drivers.DeviceException ex)
        {
            return (null, ex.Message);
        }

        return (ApplyTiming(client, options, out string? timingError), timingError);
    }

    private static async Task<(SnmpClientOptions?, string?)> FromArgumentsAsync(string agent, Dictionary<string, string> options, CancellationToken cancellationToken)
    {
        string host = agent;
        int port = 161;
        int colon = agent.LastIndexOf(':');
        if (colon > 0 && !agent.EndsWith(']') && agent.Count(c => c == ':') == 1)
        {
            if (!int.TryParse(agent.AsSpan(colon + 1), out port) || port is < 1 or > 65535)
            {
                return (null, $"'{agent}' has no valid port (write HOST or HOST:PORT)");
            }

            host = agent[..colon];
        }

        IPAddress address;
        try
        {
            address = await SnmpClientOptionsFactory.ResolveAsync(host.Trim('[', ']'), cancellationToken);
        }
        catch (Drivers.DeviceException ex)
        {
            return (null, ex.Message);
        }

        string versionText = options.GetValueOrDefault("--version", "2c");
        if (!SnmpSecurityNames.Versions.TryGetValue(versionText, out SnmpVersion version))
        {
            return (null, $"--version {versionText} is not 1, 2c or 3");
        }

        var client = new SnmpClientOptions { Agent = new IPEndPoint(address, port), Version = version };
        if (version != SnmpVersion.V3)
        {
            string? secretError = null;
            string? community = options.TryGetValue("--community-file", out string? file) ? ReadSecret(file, out secretError) : options.GetValueOrDefault("--community", "public");
            if (community is null)
            {
                return (null, $"--community-file: {secretError}");
            }

            client = client with { Community = community };
        }
        else
        {
            (UsmUser? user, SnmpSecurityLevel level, string? userError) = ReadUser(options);
            if (user is null)
            {
                return (null, userError);
            }

            client = client with { User = user, SecurityLevel = level, ContextName = options.GetValueOrDefault("--context", string.Empty) };
        }

        return (ApplyTiming(client, options, out string? timingError), timingError);
    }

    private static (UsmUser?, SnmpSecurityLevel, string?) ReadUser(Dictionary<string, string> options)
    {
        if (!options.TryGetValue("--user", out string? name))
        {
            return (null, default, "SNMPv3 needs --user");
        }

        string levelText = options.GetValueOrDefault("--level", options.ContainsKey("--priv-protocol") || options.ContainsKey("--priv-password-file") || options.ContainsKey("--priv-password-env") ? "authPriv" : "authNoPriv");
        if (!SnmpSecurityNames.Levels.TryGetValue(levelText, out SnmpSecurityLevel level))
        {
            return (null, default, $"--level {levelText} is not noAuthNoPriv, authNoPriv or authPriv");
        }

        // The YAML names, and net-snmp's spelling with a hyphen (sha-256) that technicians paste from snmpget lines.
        string authText = options.GetValueOrDefault("--auth-protocol", "sha256").ToLowerInvariant();
        if (!SnmpSecurityNames.AuthProtocols.TryGetValue(authText.StartsWith("sha-", StringComparison.Ordinal) && authText.Length > 4 ? "sha" + authText[4..] : authText, out SnmpAuthProtocol auth)
            || authText == "sha-1")
        {
            return (null, default, $"--auth-protocol {options["--auth-protocol"]} is not sha, sha224, sha256, sha384, sha512 or md5");
        }

        if (!SnmpSecurityNames.PrivProtocols.TryGetValue(options.GetValueOrDefault("--priv-protocol", "aes").ToLowerInvariant(), out SnmpPrivProtocol priv))
        {
            return (null, default, $"--priv-protocol {options["--priv-protocol"]} is not aes or des");
        }

        string? authPassword = null;
        string? privPassword = null;
        if (level >= SnmpSecurityLevel.AuthNoPriv && !TryPassword(options, "auth", out authPassword, out string? authError))
        {
            return (null, default, authError);
        }

        if (level == SnmpSecurityLevel.AuthPriv && !TryPassword(options, "priv", out privPassword, out string? privError))
        {
            return (null, default, privError);
        }

        // A user at a lower level is still built with the protocols it has, so the client can ask below its level.
        return level switch
        {
            SnmpSecurityLevel.NoAuthNoPriv => (new UsmUser(name, SnmpAuthProtocol.None, null, SnmpPrivProtocol.None, null), level, null),
            SnmpSecurityLevel.AuthNoPriv => (new UsmUser(name, auth, authPassword, SnmpPrivProtocol.None, null), level, null),
            _ => (new UsmUser(name, auth, authPassword, priv, privPassword), level, null),
        };
    }

    private static bool TryPassword(Dictionary<string, string> options, string kind, out string? password, out string? error)
    {
        password = null;
        error = null;
        if (options.TryGetValue($"--{kind}-password-file", out string? file))
        {
            password = ReadSecret(file, out string? fileError);
            error = fileError is null ? null : $"--{kind}-password-file: {fileError}";
        }
        else if (options.TryGetValue($"--{kind}-password-env", out string? variable))
        {
            password = Environment.GetEnvironmentVariable(variable);
            error = string.IsNullOrEmpty(password) ? $"--{kind}-password-env: ${variable} is not set" : null;
        }
        else
        {
            // Never on the command line: it would show in ps and in the shell history.
            error = $"give the {kind} password with --{kind}-password-file FILE or --{kind}-password-env VAR";
        }

        if (password is { Length: < 8 } && error is null)
        {
            error = $"the {kind} password is shorter than 8 characters; SNMPv3 agents refuse such passwords";
        }

        return error is null;
    }

    private static string? ReadSecret(string path, out string? error)
    {
        try
        {
            error = null;
            return File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return null;
        }
    }

    private static SnmpClientOptions? ApplyTiming(SnmpClientOptions client, Dictionary<string, string> options, out string? error)
    {
        error = null;
        if (options.TryGetValue("--timeout", out string? timeoutText))
        {
            if (!DurationParser.TryParse(timeoutText, out TimeSpan timeout) || timeout <= TimeSpan.Zero)
            {
                error = $"--timeout {timeoutText} is not a duration such as 2s or 500ms";
                return null;
            }

            client = client with { Timeout = timeout };
        }

        if (options.TryGetValue("--retries", out string? retriesText))
        {
            if (!int.TryParse(retriesText, out int retries) || retries is < 0 or > 10)
            {
                error = $"--retries {retriesText} is not 0..10";
                return null;
            }

            client = client with { Retries = retries };
        }

        return client;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("snmp: " + message);
        return 2;
    }
}
