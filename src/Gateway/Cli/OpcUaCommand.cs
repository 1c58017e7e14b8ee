using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

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
        "opcua browse opc.tcp://HOST:PORT [--path /Objects/…] [--depth N] [--all] [--user U --password P]\n" +
        "    print the node tree with node ids, data types and current values (server's own nodes; --all adds ns=0)\n" +
        "opcua read opc.tcp://HOST:PORT NODEID… [--user U --password P]\n" +
        "    read the current value, status and source time of each node (e.g. \"ns=1;s=Door1.Open\")";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length < 2 || args[0] is not ("browse" or "read"))
        {
            Console.Error.WriteLine("usage:");
            foreach (string line in Usage.Split('\n'))
            {
                Console.Error.WriteLine(line.StartsWith("opcua", StringComparison.Ordinal) ? "  smartcity-edge " + line : "  " + line);
            }

            return 2;
        }

        if (!UaEndpointUrl.TryParse(args[1], out UaEndpointUrl? endpoint, out string? urlError))
        {
            Console.Error.WriteLine("opcua: " + urlError);
            return 2;
        }

        var options = new Options();
        if (!options.TryParse(args.AsSpan(2), args[0] == "read", out string? optionError))
        {
            Console.Error.WriteLine("opcua: " + optionError);
            return 2;
        }

        var clientOptions = new UaClientOptions { Endpoint = endpoint, UserName = options.User, Password = options.Password, SessionName = "smartcity-edge opcua" };
        // An unreachable host must not leave the technician waiting for the kernel's TCP timeout.
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await using UaSession session = await UaSession.CreateAsync(clientOptions, TimeProvider.System, NullLogger.Instance, connectTimeout.Token);
            int status = args[0] == "browse"
                ? await BrowseAsync(session, options, Console.Out, cancellationToken)
                : await ReadAsync(session, options.Nodes, Console.Out, cancellationToken);
            await session.CloseAsync(cancellationToken);
            return status;
        }
        catch (UaException ex)
        {
            Console.Error.WriteLine($"opcua: {endpoint}: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (connectTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"opcua: {endpoint}: no answer within 15 s");
            return 1;
        }
    }

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
        var lines = new List<(int Depth, UaReferenceDescription Reference)>();
        await WalkAsync(session, start, 1, options, lines, cancellationToken);

        // Data types and values of all variables, read in batches after the walk.
        UaReferenceDescription[] variables = lines.Where(l => l.Reference.NodeClass == UaNodeClass.Variable).Select(l => l.Reference).ToArray();
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

        foreach ((int depth, UaReferenceDescription reference) in lines)
        {
            string indent = new(' ', depth * 2);
            string line = $"{indent}{reference.BrowseName}  {reference.NodeId.NodeId}";
            if (details.TryGetValue(reference.NodeId.NodeId, out (string Type, string Value) detail))
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

    private static async Task WalkAsync(UaSession session, UaNodeId node, int depth, Options options, List<(int, UaReferenceDescription)> lines, CancellationToken cancellationToken)
    {
        if (depth > options.Depth)
        {
            return;
        }

        foreach (UaReferenceDescription reference in await session.BrowseAsync(node, cancellationToken))
        {
            if (!reference.NodeId.IsLocal || (!options.All && reference.NodeId.NodeId.NamespaceIndex == 0))
            {
                continue;
            }

            lines.Add((depth, reference));
            if (reference.NodeClass is UaNodeClass.Object or UaNodeClass.Variable)
            {
                await WalkAsync(session, reference.NodeId.NodeId, depth + 1, options, lines, cancellationToken);
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

        public string? User { get; private set; }

        public string? Password { get; private set; }

        public List<UaNodeId> Nodes { get; } = [];

        public bool TryParse(ReadOnlySpan<string> args, bool read, out string? error)
        {
            for (int i = 0; i < args.Length; i++)
            {
                string arg = args[i];
                string? next = i + 1 < args.Length ? args[i + 1] : null;
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
                    case "--user" when next is not null:
                        User = next;
                        i++;
                        break;
                    case "--password" when next is not null:
                        Password = next;
                        i++;
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
