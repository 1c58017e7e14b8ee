using System.Text;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Fuzz;

/// <summary>
/// Valid inputs for the SNMP and command-token targets (<see cref="NetworkFuzzTargets"/>), written with our own
/// encoders: replies, v1/v2c traps and informs, v3 discovery and an authenticated, encrypted v3 trap of the fuzzing
/// rig's user, and ack/write commands as signed claims and as unsigned JSON.
/// </summary>
internal static class SnmpSeeds
{
    private const string Ups = "1.3.6.1.2.1.33";

    /// <summary>(name, mode byte of <see cref="NetworkFuzzTargets.RunSnmpMessage"/>, datagram).</summary>
    public static IEnumerable<(string Name, byte Mode, byte[] Bytes)> Messages()
    {
        var response = new SnmpPdu(SnmpPduType.Response, 42, [
            new(SnmpOid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.TimeTicks(123456)),
            new(SnmpOid.Parse(Ups + ".1.2.3.0"), SnmpValue.Integer(42)),
        ]);
        yield return ("v2c-response", 4, Community(SnmpVersion.V2c, response));
        yield return ("v1-response-values", 0, Community(SnmpVersion.V1, new SnmpPdu(SnmpPduType.Response, 7, [
            new(SnmpOid.Parse("1.3.6.1.2.1.1.5.0"), SnmpValue.OctetString("ups-1")),
            new(SnmpOid.Parse("1.3.6.1.2.1.2.2.1.10.1"), SnmpValue.Counter32(4_000_000_000)),
            new(SnmpOid.Parse("1.3.6.1.2.1.31.1.1.1.6.1"), SnmpValue.Counter64(ulong.MaxValue)),
            new(SnmpOid.Parse("1.3.6.1.2.1.4.20.1.1.10.0.0.1"), SnmpValue.IpAddress([10, 0, 0, 1])),
            new(SnmpOid.Parse("1.3.6.1.4.1.2021.10.1.6.1"), SnmpValue.Float(0.25f)),
            new(SnmpOid.Parse("1.3.6.1.2.1.1.2.0"), SnmpValue.ObjectIdentifier(SnmpOid.Parse("1.3.6.1.4.1.318"))),
            new(SnmpOid.Parse("1.3.6.1.2.1.1.9.0"), SnmpValue.Exception(SnmpType.NoSuchObject)),
        ], errorStatus: 0, errorIndex: 0)));
        yield return ("v2c-error", 0, Community(SnmpVersion.V2c, new SnmpPdu(SnmpPduType.Response, 8, [new(SnmpOid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.Null)], errorStatus: 2, errorIndex: 1)));

        UsmUser user = new("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123");
        byte[] engine = Convert.FromHexString("8000000001020304");
        yield return ("v3-report", 1, V3(null, SnmpSecurityLevel.NoAuthNoPriv, engine, new SnmpPdu(SnmpPduType.Report, 0, [new(UsmReport.UnknownEngineIds, SnmpValue.Counter32(3))])));
        yield return ("v3-authpriv-response", 2, V3(user, SnmpSecurityLevel.AuthPriv, engine, response));
        yield return ("v3-scoped-pdu", 3 | 4, SnmpV3Message.WriteScopedPdu(new byte[1024], engine, "ctx"u8, response).ToArray());
    }

    /// <summary>Datagrams from the rig's devices: v1 and v2c traps and informs (community public), v3 discovery and trap of usha.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Notifications()
    {
        SnmpVarBind[] onBattery =
        [
            new(SnmpNotification.SysUpTime, SnmpValue.TimeTicks(100)),
            new(SnmpNotification.SnmpTrapOid, SnmpValue.ObjectIdentifier(SnmpOid.Parse(Ups + ".2.1"))),
            new(SnmpOid.Parse(Ups + ".1.2.3.0"), SnmpValue.Integer(42)),
        ];
        yield return ("v2c-trap", Community(SnmpVersion.V2c, new SnmpPdu(SnmpPduType.TrapV2, 1, onBattery)));
        yield return ("v2c-inform", Community(SnmpVersion.V2c, new SnmpPdu(SnmpPduType.InformRequest, 2, [
            new(SnmpNotification.SysUpTime, SnmpValue.TimeTicks(200)),
            new(SnmpNotification.SnmpTrapOid, SnmpValue.ObjectIdentifier(SnmpOid.Parse("1.3.6.1.4.1.318.0.5"))),
            new(SnmpOid.Parse(Ups + ".1.6.2.1.2.3"), SnmpValue.ObjectIdentifier(SnmpOid.Parse(Ups + ".1.6.3.2"))),
            new(SnmpOid.Parse(Ups + ".1.2.3.0"), SnmpValue.Integer(9)),
        ])));
        yield return ("v1-trap", Community(SnmpVersion.V1, new SnmpPdu(SnmpPduType.TrapV1, 0, [new(SnmpOid.Parse(Ups + ".1.2.3.0"), SnmpValue.Integer(9))])
        {
            Enterprise = SnmpOid.Parse(Ups + ".2"),
            AgentAddress = [10, 0, 0, 5],
            GenericTrap = 6,
            SpecificTrap = 1,
            TimeStamp = 12345,
        }));

        byte[] sender = Convert.FromHexString("8000000001020304");
        UsmUser user = new("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123");
        yield return ("v3-discovery", V3(null, SnmpSecurityLevel.NoAuthNoPriv, [], new SnmpPdu(SnmpPduType.GetRequest, 3, []), reportable: true));
        yield return ("v3-trap-authpriv", V3(user, SnmpSecurityLevel.AuthPriv, sender, new SnmpPdu(SnmpPduType.TrapV2, 4, onBattery)));
    }

    /// <summary>(name, mode byte of <see cref="NetworkFuzzTargets.RunCommandToken"/>, payload or claims).</summary>
    public static IEnumerable<(string Name, byte Mode, byte[] Bytes)> Commands()
    {
        long iat = NetworkFuzzTargets.CommandNow.ToUnixTimeSeconds() - 10;
        long exp = iat + 120;
        byte[] ack = Encoding.UTF8.GetBytes($$"""{"cmd":"ack","sub":"desk-1","jti":"a1","iat":{{iat}},"exp":{{exp}},"alarm":"fire-zone1-high","occurrence":3,"comment":"Feuerwehr informiert"}""");
        byte[] write = Encoding.UTF8.GetBytes($$"""{"cmd":"write","sub":"desk-2","jti":"w1","iat":{{iat}},"exp":{{exp}},"device":"door-3","tag":"lock.output","value":true,"expect":false}""");
        yield return ("ack-claims", 4, ack);
        yield return ("write-claims", 5, write);
        yield return ("write-claims-number", 5, Encoding.UTF8.GetBytes($$"""{"cmd":"write","sub":"desk-2","jti":"w2","iat":{{iat}},"exp":{{exp}},"device":"door-3","tag":"setpoint","value":21.5}"""));
        yield return ("ack-token", 0, NetworkFuzzTargets.SignedToken(ack));
        yield return ("ack-unsigned", 2, """{"alarm":"fire-zone1-high","by":"desk-1","id":"r-1","comment":"ok"}"""u8.ToArray());
    }

    private static byte[] Community(SnmpVersion version, SnmpPdu pdu) =>
        SnmpCommunityMessage.Write(new byte[2048], version, "public"u8, pdu).ToArray();

    private static byte[] V3(UsmUser? user, SnmpSecurityLevel level, byte[] engineId, SnmpPdu pdu, bool reportable = false) =>
        UsmMessageProcessor.Encode(new byte[2048], 77, 65507, reportable, user, level, engineId, 1, 1000, engineId, ReadOnlySpan<byte>.Empty, pdu, 1).ToArray();
}
