using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Snmp;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Fuzz;

/// <summary>
/// The SNMP and command-token targets of <see cref="FuzzTargets"/>: a UDP datagram as an SNMP agent's reply, a datagram
/// at the trap listener, an MQTT payload on a command topic. Only <see cref="SnmpDecodeException"/> may leave the SNMP
/// decoders (the client drops such a reply; the listener counts it rejected); the trap listener and the token
/// verifier answer every input themselves, so nothing may leave them.
/// </summary>
internal static class NetworkFuzzTargets
{
    /// <summary>The shared secret of the fuzzing key: the command target signs with it, so claims are reached.</summary>
    public static readonly byte[] CommandSecret = "fuzzing-secret-fuzzing-secret-32"u8.ToArray();

    /// <summary>The verifier's clock: seeds carry iat/exp around it.</summary>
    public static readonly DateTimeOffset CommandNow = DateTimeOffset.FromUnixTimeSeconds(1_796_000_000);

    private static readonly SnmpOid[] s_expected = [SnmpOid.Parse("1.3.6.1.2.1.1.3.0"), SnmpOid.Parse("1.3.6.1.2.1.33.1.2.3.0")];

    private static readonly UsmUser[] s_users =
    [
        new("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123"),
        new("u256", SnmpAuthProtocol.Sha256, "authpass123", SnmpPrivProtocol.None, null),
        new("umd5", SnmpAuthProtocol.Md5, "authpass123", SnmpPrivProtocol.Des, "privpass123"),
    ];

    private static readonly Lazy<TrapRig> s_trapRig = new(TrapRig.Create);

    private static readonly CommandTokenVerifier s_verifier = new();

    private static readonly CommandsConfiguration[] s_commandConfigurations =
    [
        new([CommandKey.Hs256("k1", [new CommandPermission("ack", null), new CommandPermission("write", "door-*/*")], CommandSecret)], AllowUnsigned: false, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)),
        new([CommandKey.Hs256("k1", [new CommandPermission("ack", "fire-*")], CommandSecret)], AllowUnsigned: true, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2)),
    ];

    /// <summary>
    /// A reply datagram as <c>SnmpClient.TryMatch</c> reads it. First byte: bits 0–1 choose v1/v2c message, v3 envelope
    /// then scoped PDU or USM open with one of three users, or a bare scoped PDU; bit 2 checks the varbinds against two
    /// requested OIDs. A Report's varbinds are also turned into the client's error.
    /// </summary>
    public static void RunSnmpMessage(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }

        byte mode = input[0];
        ReadOnlySpan<byte> datagram = input[1..];
        IReadOnlyList<SnmpOid>? expected = (mode & 4) != 0 ? s_expected : null;
        try
        {
            SnmpPdu pdu;
            switch (mode & 3)
            {
                case 0:
                    SnmpCommunityMessage.PeekVersion(datagram);
                    pdu = SnmpCommunityMessage.Read(datagram, out _, out _, expected);
                    break;
                case 1:
                case 2:
                    SnmpV3Envelope envelope = SnmpV3Message.Read(datagram);
                    if ((mode & 3) == 1 || (envelope.Flags & SnmpV3Flags.Auth) == 0)
                    {
                        if (envelope.IsEncrypted)
                        {
                            return;
                        }

                        pdu = SnmpV3Message.ReadScopedPdu(envelope.Data, out _, out _, expected);
                        break;
                    }

                    byte[] plaintext = new byte[datagram.Length];
                    UsmUser user = s_users[(mode >> 3) % s_users.Length];
                    if (UsmMessageProcessor.Open(datagram, envelope, user, plaintext, out ReadOnlySpan<byte> scoped, allowAuthNoPriv: true) != UsmOpenStatus.Ok)
                    {
                        return;
                    }

                    pdu = SnmpV3Message.ReadScopedPdu(scoped, out _, out _, expected);
                    break;
                default:
                    pdu = SnmpV3Message.ReadScopedPdu(datagram, out _, out _, expected);
                    break;
            }

            if (pdu.Type == SnmpPduType.Report)
            {
                _ = UsmReport.ToException(pdu, "fuzz").Message;
            }

            foreach (SnmpVarBind varBind in pdu.VarBinds)
            {
                _ = varBind.Oid.ToString();
                _ = varBind.Value.ToString();
            }
        }
        catch (SnmpDecodeException)
        {
        }
    }

    /// <summary>
    /// A datagram at the trap listener from 127.0.0.1, the host of a v2c device (community <c>public</c>, ups-mib
    /// profile and a templated rule) and of a v3 device (user <c>usha</c>, SHA/AES): decoding, community and user
    /// checks, USM, discovery Reports, inform Responses, duplicate detection, rules and readings.
    /// </summary>
    public static void RunSnmpTrap(ReadOnlySpan<byte> input)
    {
        TrapRig rig = s_trapRig.Value;
        rig.Listener.HandleDatagramAsync(input, rig.Source, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// A payload on <c>{prefix}/commands/ack</c> or <c>…/write</c> (first byte: bit 0 the topic, bit 1 the configuration
    /// with or without allow_unsigned, bit 2 the rest as the raw payload or as the claims of a token the harness signs
    /// with the configured key, so the fuzzer reaches the claim checks past the signature); a verified command then goes
    /// through the ack or write claim readers and the key's allow patterns.
    /// </summary>
    public static void RunCommandToken(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0)
        {
            return;
        }

        (string topic, VerifiedCommand? command, CommandRefusal? refusal) = VerifyCommand(input);
        if (command is null)
        {
            if (refusal is null || string.IsNullOrEmpty(refusal.Reason))
            {
                throw new InvalidOperationException("a command was neither verified nor refused with a reason");
            }

            return;
        }

        if (topic == "ack")
        {
            if (AckCommand.TryRead(command, out AckCommand? ack, out _))
            {
                command.Key?.Allows("ack", ack!.Alarm);
            }
        }
        else if (WriteCommand.TryRead(command, out WriteCommand? write, out _, out _, out _))
        {
            command.Key?.Allows("write", write!.Target);
        }
    }

    /// <summary>The verifier's answer to a <see cref="RunCommandToken"/> input (also for tests: do the seeds get past the signature?).</summary>
    public static (string Topic, VerifiedCommand? Command, CommandRefusal? Refusal) VerifyCommand(ReadOnlySpan<byte> input)
    {
        byte mode = input[0];
        string topic = (mode & 1) == 0 ? "ack" : "write";
        CommandsConfiguration configuration = s_commandConfigurations[(mode >> 1) & 1];
        byte[] payload = (mode & 4) == 0 ? input[1..].ToArray() : SignedToken(input[1..]);
        (VerifiedCommand? command, CommandRefusal? refusal) = s_verifier.VerifyAsync(payload, topic, configuration, CommandNow).GetAwaiter().GetResult();
        return (topic, command, refusal);
    }

    /// <summary>Notifications the fuzzing trap listener delivered or recognised as repeated informs (for tests: do the seeds get through?).</summary>
    public static long TrapsAccepted => s_trapRig.Value.Listener.Statistics.Delivered + s_trapRig.Value.Listener.Statistics.Duplicates;

    /// <summary>An HS256 compact JWS by the fuzzing key with <paramref name="claims"/> as its payload bytes.</summary>
    public static byte[] SignedToken(ReadOnlySpan<byte> claims)
    {
        string signingInput = Base64Url.EncodeToString("""{"alg":"HS256","kid":"k1","typ":"JWT"}"""u8) + "." + Base64Url.EncodeToString(claims);
        byte[] signature = HMACSHA256.HashData(CommandSecret, System.Text.Encoding.ASCII.GetBytes(signingInput));
        return System.Text.Encoding.ASCII.GetBytes(signingInput + "." + Base64Url.EncodeToString(signature));
    }

    /// <summary>A listener on a loopback port with two devices attached; its replies go to a socket nobody reads.</summary>
    private sealed record TrapRig(SnmpTrapListener Listener, IPEndPoint Source)
    {
        public static TrapRig Create()
        {
            string directory = Directory.CreateTempSubdirectory("smartcity-edge-fuzz-snmp-").FullName;
            var router = new SnmpTrapRouter();
            var sink = new DiscardingSink();
            router.Attach("ups-v2c", ReadSettings("""
                id: ups-v2c
                driver: snmp
                host: 127.0.0.1
                community: public
                profile: ups-mib
                traps:
                  - trap: 1.3.6.1.4.1.318.0.5
                    alarm: on_battery_apc
                    severity: critical
                    message: "On battery ({1.3.6.1.2.1.33.1.2.3.0} min left) from {source} ({trap}, {device})"
                    clear: 1.3.6.1.4.1.318.0.9
                    match: { oid: 1.3.6.1.2.1.33.1.6.2.1.2, value: 1.3.6.1.2.1.33.1.6.3.2 }
                """), IPAddress.Loopback, sink, sink, TimeProvider.System, NullLogger.Instance);
            router.Attach("ups-v3", ReadSettings("""
                id: ups-v3
                driver: snmp
                host: 127.0.0.1
                version: 3
                user: usha
                auth: { protocol: sha, password: authpass123 }
                priv: { protocol: aes, password: privpass123 }
                profile: ups-mib
                """), IPAddress.Loopback, sink, sink, TimeProvider.System, NullLogger.Instance);
            var settings = new SnmpTrapListenerSettings(new IPEndPoint(IPAddress.Loopback, 0), StrictTimeWindow: true, EngineId: null);
            SnmpLocalEngine engine = SnmpLocalEngine.Start(directory, null, TimeProvider.System, out _);
            var listener = new SnmpTrapListener(settings, [router], engine, TimeProvider.System, NullLogger.Instance);

            // Responses and Reports go here; when its queue is full the kernel drops them, as for a sender gone away.
            var replies = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            replies.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return new TrapRig(listener, (IPEndPoint)replies.LocalEndPoint!);
        }

        private static SnmpDeviceSettings ReadSettings(string yaml)
        {
            var context = new ConfigContext("fuzz.yaml", _ => null);
            ConfigSection root = ConfigDocument.Parse(yaml, context) ?? throw new InvalidOperationException("the fuzzing device did not parse");
            root.Accept("id", "driver");
            var device = new DeviceDescriptor(root.GetRequiredString("id"), "snmp", TimeSpan.FromSeconds(5), []);
            var settings = (SnmpDeviceSettings)new SnmpDriverFactory().ReadSettings(device, root, []);
            root.ReportUnknownKeys();
            if (context.Problems.HasAny)
            {
                throw new InvalidOperationException("the fuzzing device is misconfigured: " + string.Join("; ", context.Problems.All));
            }

            return settings;
        }
    }

    private sealed class DiscardingSink : IReadingSink, IDeviceAlarmSink
    {
        // Tags named at run time (trap varbinds) get indexes as the gateway's sink gives them, bounded the same way.
        private readonly Dictionary<string, int> _runtimeTags = new(StringComparer.Ordinal);

        public ReadingFrame CreateFrame() => new();

        public ValueTask PublishAsync(ReadingFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public int TagIndexOf(string tagId)
        {
            if (_runtimeTags.TryGetValue(tagId, out int index))
            {
                return index;
            }

            if (_runtimeTags.Count >= IReadingSink.MaxRuntimeTags)
            {
                return -1;
            }

            _runtimeTags.Add(tagId, _runtimeTags.Count);
            return _runtimeTags.Count - 1;
        }

        public ValueTask PublishAsync(DeviceAlarm alarm, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask SynchronizedAsync(string deviceId, IReadOnlyCollection<string> conditionIds, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
