using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.OpcUa;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// <c>smartcity-edge opcua browse|read</c>: lets a technician see a server's address space (node ids, data types,
/// current values) and read nodes, to write the <c>opcua</c> device YAML without another program.
/// </summary>
internal sealed class OpcUaCommand : ICliCommand
{
    private const int ValueBatch = 200;

    private static readonly string[] s_builtInNames =
    [
        "Null", "Boolean", "SByte", "Byte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64", "Float", "Double", "String",
        "DateTime", "Guid", "ByteString", "XmlElement", "NodeId", "ExpandedNodeId", "StatusCode", "QualifiedName", "LocalizedText",
        "Structure", "DataValue", "BaseDataType", "DiagnosticInfo", "Number", "Integer", "UInteger", "Enumeration",
    ];

    public string Name => "opcua";

    public string Usage =>
        "opcua browse CONNECTION [--path /Objects/…] [--depth N] [--all]\n" +
        "    print the node tree with node ids, data types and current values (server's own nodes; --all adds ns=0)\n" +
        "opcua read CONNECTION NODEID…\n" +
        "    read the current value, status and source time of each node (e.g. \"ns=1;s=Door1.Open\")\n" +
        OpcUaConnectionArguments.Usage + "\n" +
        "opcua certs [--config FILE | --data-dir DIR | --pki DIR]\n" +
        "    list our application certificate and the trusted and rejected server certificates ({data_dir}/pki)\n" +
        "opcua trust FINGERPRINT [--config FILE | --data-dir DIR | --pki DIR]\n" +
        "    trust a rejected server certificate (moves it from pki/rejected/certs to pki/trusted/certs); FINGERPRINT is the\n" +
        "    SHA-256 of the certificate as printed (8+ hex digits suffice; an older version's SHA-1 thumbprint is accepted too)\n" +
        OpcUaCertificateExport.Usage;

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length >= 1 && args[0] is "certs" && args.Contains("--export") && !args.Contains("--help"))
        {
            return OpcUaCertificateExport.Run(args, Console.Out, Console.Error);
        }

        if (args.Length >= 1 && args[0] is "certs" or "trust" && !args.Contains("--help"))
        {
            return RunCertificateCommand(args, Console.Out, Console.Error);
        }

        bool help = args.Length == 0 || args[0] == "help" || args.Contains("--help") || args.Contains("-h");
        if (help || args.Length < 2 || args[0] is not ("browse" or "read"))
        {
            TextWriter writer = help ? Console.Out : Console.Error;
            writer.WriteLine("usage:");
            foreach (string line in Usage.Split('\n'))
            {
                writer.WriteLine(line.StartsWith("opcua", StringComparison.Ordinal) ? "  smartcity-edge " + line : "  " + line);
            }

            return help && args.Length > 0 ? 0 : 2;
        }

        var connectionArguments = new OpcUaConnectionArguments();
        var options = new Options();
        if (!options.TryParse(args.AsSpan(1), args[0] == "read", connectionArguments, out string? optionError))
        {
            Console.Error.WriteLine("opcua: " + optionError);
            return 2;
        }

        if (!connectionArguments.TryResolve(Console.Error, out OpcUaConnection? connection))
        {
            return 2;
        }

        OpcUaSettings settings = connection!.Settings;
        UaEndpointUrl endpoint = settings.Endpoint;
        UaClientOptions clientOptions;
        try
        {
            clientOptions = OpcUaClientOptionsFactory.Create(
                settings, "smartcity-edge opcua", connection.DataDirectory, "opcua", TimeProvider.System,
                (thumbprint, file) => Console.Error.WriteLine($"opcua: trusted the server certificate {thumbprint} on first use ({file}); trust_on_first_use is on"));
        }
        catch (DeviceException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }

        // An unreachable host must not leave the technician waiting for the kernel's TCP timeout.
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await using UaSession session = await UaSession.CreateAsync(clientOptions, TimeProvider.System, NullLogger.Instance, connectTimeout.Token);
            string identity = settings.UserName is { } user ? "user " + user : settings.UserCertificate is not null ? "X.509 user certificate" : "anonymous";
            Console.Error.WriteLine($"connected to {endpoint}: {session.Channel.Policy.PolicyUri.Split('#')[^1]}, {session.Channel.Policy.SecurityMode}, {identity}");
            int status = args[0] == "browse"
                ? await BrowseAsync(session, options, Console.Out, cancellationToken)
                : await ReadAsync(session, options.Nodes, Console.Out, cancellationToken);
            await session.CloseAsync(cancellationToken);
            return status;
        }
        catch (UaCertificateException ex)
        {
            // The driver's own message (what is refused, where it was saved, the trust command), plus the PKI folder
            // when it is not the one `opcua trust` uses without options.
            Console.Error.WriteLine($"opcua: {endpoint}: {ex.Message}");
            string pki = Path.Combine(connection.DataDirectory, "pki");
            if (ex.Thumbprint is { } thumbprint && DefaultPkiDirectory() != Path.GetFullPath(pki))
            {
                Console.Error.WriteLine($"opcua: this used the PKI folder {pki}; trust it there with: smartcity-edge opcua trust {thumbprint} --data-dir {connection.DataDirectory}");
            }
            else if (ex.StatusCode.Code == UaStatusCodes.BadCertificateHostNameInvalid && settings.Security.CheckHostName)
            {
                Console.Error.WriteLine("opcua: with this tool, --no-check-hostname skips the host name check (security.check_hostname: false in the device)");
            }

            return 1;
        }
        catch (UaException ex)
        {
            // A refused login in plain words (the driver's text), instead of "BadUserAccessDenied: service i=470 failed".
            Console.Error.WriteLine($"opcua: {endpoint}: {OpcUaHints.ForLogin(ex.StatusCode, settings.UserName, settings.UserCertificate is not null, tool: true) ?? ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (connectTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"opcua: {endpoint}: no answer within 15 s");
            return 1;
        }
    }

    /// <summary><c>opcua certs</c> / <c>opcua trust THUMBPRINT</c> on the PKI folder of <c>--pki</c> or the configuration's data_dir.</summary>
    internal static int RunCertificateCommand(string[] args, TextWriter output, TextWriter error)
    {
        string? pki = ConfigArguments.Option(args, "--pki") ?? (ConfigArguments.Option(args, "--data-dir") is { } dataDirectory ? Path.Combine(dataDirectory, "pki") : null);
        if (pki is null)
        {
            ConfigurationLoadResult loaded = ConfigArguments.Load(args);
            if (loaded.Configuration is not { } configuration)
            {
                ConfigArguments.PrintProblems(loaded.Problems, error);
                return 2;
            }

            pki = Path.Combine(configuration.Gateway.DataDirectory, "pki");
        }

        var store = new UaCertificateStore(pki);
        try
        {
            // Files an older version named after the SHA-1 thumbprint get the SHA-256 name every message now prints.
            store.UpgradeLegacyFileNames();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Cosmetic; listing and trusting work on the contents.
        }

        if (args[0] == "trust")
        {
            if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
            {
                error.WriteLine("usage: smartcity-edge opcua trust FINGERPRINT [--config FILE | --data-dir DIR | --pki DIR]");
                return 2;
            }

            string? trusted = store.Trust(args[1], out string? trustError, out StoredCertificate? certificate);
            if (trusted is null)
            {
                error.WriteLine("opcua trust: " + trustError);
                return 1;
            }

            if (!certificate!.Thumbprint.StartsWith(args[1].Replace(":", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
            {
                output.WriteLine($"note: {args[1]} is the SHA-1 thumbprint an older version printed; certificates are identified by their SHA-256 fingerprint now: {certificate.Thumbprint}");
            }

            output.WriteLine($"trusted: {trusted}");
            output.WriteLine($"SHA-256 {certificate.Thumbprint}  {certificate.Subject}");
            output.WriteLine("the gateway connects with it on its next attempt (no restart needed)");
            return 0;
        }

        output.WriteLine($"PKI folder {store.Root}");
        output.WriteLine("certificates are listed by their SHA-256 fingerprint (the whole certificate); `opcua trust` takes 8 or more of its hex digits");
        foreach ((string title, string directory) in new[] { ("own", Path.GetDirectoryName(store.OwnCertificatePath)!), ("trusted", store.TrustedDirectory), ("rejected", store.RejectedDirectory) })
        {
            IReadOnlyList<StoredCertificate> certificates = store.List(directory);
            output.WriteLine($"{title} ({directory}): {certificates.Count}");
            foreach (StoredCertificate certificate in certificates)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {certificate.Thumbprint}  {certificate.Subject}  uri={certificate.ApplicationUri ?? "-"}  valid {certificate.NotBefore:yyyy-MM-dd}..{certificate.NotAfter:yyyy-MM-dd}"));
            }
        }

        return 0;
    }

    /// <summary>The PKI folder of <c>opcua certs|trust</c> without options: the data_dir of the configuration <c>run</c> uses without --config.</summary>
    private static string? DefaultPkiDirectory() =>
        ConfigArguments.Load([]).Configuration is { } configuration ? Path.GetFullPath(Path.Combine(configuration.Gateway.DataDirectory, "pki")) : null;

    private static async Task<int> BrowseAsync(UaSession session, Options options, TextWriter output, CancellationToken cancellationToken)
    {
        UaNodeId start = UaTypeIds.ObjectsFolder;
        string startName = "/Objects";
        if (options.Path is { } path)
        {
            if (!OpcUaPath.TryParse(path, out IReadOnlyList<UaQualifiedName>? elements, out string? error))
            {
                Console.Error.WriteLine("opcua: " + error);
                return 2;
            }

            UaBrowsePathResult[] resolved = await session.TranslateBrowsePathsAsync([new UaBrowsePath(UaTypeIds.ObjectsFolder, elements)], cancellationToken);
            if (resolved[0].StatusCode.IsBad || resolved[0].Targets.Length == 0)
            {
                Console.Error.WriteLine($"opcua: {path} does not resolve: {resolved[0].StatusCode.Name}");
                return 1;
            }

            start = resolved[0].Targets[0].NodeId;
            startName = path;
        }

        output.WriteLine($"{startName}  {start}");
        var lines = new List<(int Depth, UaReferenceDescription Reference, bool Repeated)>();
        await WalkAsync(session, await session.BrowseAsync(start, cancellationToken), 1, options, lines, [start], cancellationToken);

        // Data types and values of all variables, read in batches after the walk.
        UaReferenceDescription[] variables = lines.Where(l => !l.Repeated && l.Reference.NodeClass == UaNodeClass.Variable).Select(l => l.Reference).ToArray();
        var details = new Dictionary<UaNodeId, (string Type, string Value)>();
        for (int offset = 0; offset < variables.Length; offset += ValueBatch)
        {
            UaReferenceDescription[] part = variables.Skip(offset).Take(ValueBatch).ToArray();
            UaReadValueId[] reads = part.SelectMany(v => new[] { new UaReadValueId(v.NodeId.NodeId, UaAttributeId.DataType), new UaReadValueId(v.NodeId.NodeId) }).ToArray();
            UaDataValue[] values = await session.ReadAsync(reads, cancellationToken);
            for (int i = 0; i < part.Length; i++)
            {
                details[part[i].NodeId.NodeId] = (TypeName(values[2 * i]), ValueText(values[(2 * i) + 1]));
            }
        }

        foreach ((int depth, UaReferenceDescription reference, bool repeated) in lines)
        {
            string indent = new(' ', depth * 2);
            string line = $"{indent}{reference.BrowseName}  {reference.NodeId.NodeId}";
            if (repeated)
            {
                line += "  (also under another node, listed above)";
            }
            else if (details.TryGetValue(reference.NodeId.NodeId, out (string Type, string Value) detail))
            {
                line += $"  {detail.Type} = {detail.Value}";
            }
            else if (reference.NodeClass != UaNodeClass.Object)
            {
                line += $"  [{reference.NodeClass}]";
            }

            output.WriteLine(line);
        }

        return 0;
    }

    /// <summary>
    /// Lists each node once. Browse returns every forward hierarchical reference, and servers often have two from one
    /// parent to the same child (HasComponent and HasEventSource for an alarm source, Organizes and HasNotifier for a
    /// notifier): those are one line. A node reached again under another parent is listed there, marked, and not
    /// walked again (which also ends reference cycles). The children that may be walked are browsed together, in one
    /// request, before the first of them is walked: a folder of a thousand variables costs a few round trips, not a
    /// thousand (the listing is the same, depth first).
    /// </summary>
    /// <param name="references">The references of the node being walked, whose lines are at <paramref name="depth"/>.</param>
    private static async Task WalkAsync(UaSession session, UaReferenceDescription[] references, int depth, Options options, List<(int, UaReferenceDescription, bool)> lines, HashSet<UaNodeId> walked, CancellationToken cancellationToken)
    {
        var children = new HashSet<UaNodeId>();
        var listed = new List<UaReferenceDescription>();
        foreach (UaReferenceDescription reference in references)
        {
            UaNodeId child = reference.NodeId.NodeId;
            if (reference.NodeId.IsLocal && (options.All || child.NamespaceIndex != 0) && children.Add(child))
            {
                listed.Add(reference);
            }
        }

        // Every child not walked yet may be walked below (one walked in an earlier sibling's subtree meanwhile is then
        // only marked, and its browse result unused).
        var below = new Dictionary<UaNodeId, UaReferenceDescription[]>();
        if (depth + 1 <= options.Depth)
        {
            UaNodeId[] candidates = listed
                .Where(r => r.NodeClass is UaNodeClass.Object or UaNodeClass.Variable && !walked.Contains(r.NodeId.NodeId))
                .Select(r => r.NodeId.NodeId)
                .ToArray();
            UaReferenceDescription[][] browsed = await session.BrowseAsync(candidates, cancellationToken);
            for (int i = 0; i < candidates.Length; i++)
            {
                below[candidates[i]] = browsed[i];
            }
        }

        foreach (UaReferenceDescription reference in listed)
        {
            UaNodeId child = reference.NodeId.NodeId;
            bool first = walked.Add(child);
            lines.Add((depth, reference, !first));
            if (first && below.TryGetValue(child, out UaReferenceDescription[]? grandchildren))
            {
                await WalkAsync(session, grandchildren, depth + 1, options, lines, walked, cancellationToken);
            }
        }
    }

    private static async Task<int> ReadAsync(UaSession session, IReadOnlyList<UaNodeId> nodes, TextWriter output, CancellationToken cancellationToken)
    {
        UaDataValue[] values = await session.ReadAsync(nodes.Select(n => new UaReadValueId(n)).ToArray(), cancellationToken);
        int bad = 0;
        for (int i = 0; i < nodes.Count; i++)
        {
            UaDataValue value = values[i];
            string time = value.SourceTimestamp is { } ts ? ts.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "-";
            output.WriteLine($"{nodes[i]}  {value.Value.Type}{(value.Value.IsArray ? "[]" : string.Empty)} = {ValueText(value)}  {value.StatusCode.Name}  {time}");
            bad += value.StatusCode.IsBad ? 1 : 0;
        }

        return bad == 0 ? 0 : 1;
    }

    private static string TypeName(UaDataValue dataType) =>
        dataType.Value.Value is UaNodeId { NamespaceIndex: 0, IdType: UaNodeIdType.Numeric } id && id.Numeric < s_builtInNames.Length
            ? s_builtInNames[id.Numeric]
            : dataType.Value.Value?.ToString() ?? "?";

    private static string ValueText(UaDataValue value) =>
        value.StatusCode.IsBad ? $"({value.StatusCode.Name})" : value.Value.Value is string s ? $"\"{s}\"" : value.Value.ToString();

    private sealed class Options
    {
        public string? Path { get; private set; }

        public int Depth { get; private set; } = 6;

        public bool All { get; private set; }

        public List<UaNodeId> Nodes { get; } = [];

        public bool TryParse(ReadOnlySpan<string> args, bool read, OpcUaConnectionArguments connection, out string? error)
        {
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                string? next = i + 1 < args.Length ? args[i + 1] : null;
                if (connection.TryTake(arg, next, ref i, out error))
                {
                    if (error is not null)
                    {
                        return false;
                    }

                    continue;
                }

                switch (arg)
                {
                    case "--path" when next is not null && !read:
                        Path = next;
                        i++;
                        break;
                    case "--depth" when next is not null && !read && int.TryParse(next, NumberStyles.None, CultureInfo.InvariantCulture, out int depth) && depth > 0:
                        Depth = depth;
                        i++;
                        break;
                    case "--all" when !read:
                        All = true;
                        break;
                    case var url when url.Contains("://", StringComparison.Ordinal):
                        if (connection.EndpointText is not null)
                        {
                            error = $"two endpoint URLs: '{connection.EndpointText}' and '{arg}'";
                            return false;
                        }

                        connection.EndpointText = arg;
                        break;
                    default:
                        if (read && !arg.StartsWith("--", StringComparison.Ordinal))
                        {
                            if (!UaNodeId.TryParse(arg, out UaNodeId node, out string? nodeError))
                            {
                                error = nodeError;
                                return false;
                            }

                            Nodes.Add(node);
                            break;
                        }

                        error = $"unexpected argument '{arg}'";
                        return false;
                }
            }

            if (read && Nodes.Count == 0)
            {
                error = "name at least one node id to read, e.g. \"ns=1;s=Door1.Open\"";
                return false;
            }

            error = null;
            return true;
        }
    }
}
