using System.Net;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>
/// Seeded, bounded mutations of valid messages and random bytes into every decoder the network reaches (the trap
/// listener is an open UDP port): they may only fail with <see cref="SnmpException"/>, never with an index, argument
/// or overflow exception, and never allocate by a forged length.
/// </summary>
public sealed class SnmpFuzzTests
{
    private static readonly UsmUser s_user = new("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123");

    [Fact]
    public void CommunityAndPduDecoders_MutatedMessages_OnlyTypedErrors()
    {
        var random = new Random(20261203);
        byte[][] seeds = [.. CommunitySeeds()];
        int accepted = 0;
        for (int i = 0; i < 60_000; i++)
        {
            byte[] bytes = Mutate(random, seeds[random.Next(seeds.Length)]);
            try
            {
                if (SnmpCommunityMessage.PeekVersion(bytes) != SnmpVersion.V3)
                {
                    SnmpPdu pdu = SnmpCommunityMessage.Read(bytes, out _, out _);
                    Assert.InRange(pdu.VarBinds.Count, 0, SnmpPduCodec.MaxVarBinds);
                    _ = SnmpNotification.FromV2(new IPEndPoint(IPAddress.Loopback, 1), SnmpVersion.V2c, pdu);
                    foreach (SnmpVarBind varBind in pdu.VarBinds)
                    {
                        _ = varBind.Value.ToString();
                    }

                    accepted++;
                }
            }
            catch (SnmpException)
            {
            }
        }

        Assert.InRange(accepted, 5_000, 60_000);
    }

    [Fact]
    public void V3Decoders_MutatedMessages_OnlyTypedErrorsAndNoForgedMac()
    {
        var random = new Random(7);
        byte[] engine = Convert.FromHexString("80001f8804677774657374");
        byte[] seed = V3Seed(engine);
        byte[] plaintext = new byte[2048];
        int opened = 0;
        for (int i = 0; i < 30_000; i++)
        {
            byte[] bytes = Mutate(random, seed);
            try
            {
                SnmpV3Envelope envelope = SnmpV3Message.Read(bytes);
                if (UsmMessageProcessor.Open(bytes, envelope, s_user, plaintext, out ReadOnlySpan<byte> scoped) == UsmOpenStatus.Ok)
                {
                    // Only an untouched message may pass the MAC.
                    Assert.Equal(seed, bytes);
                    SnmpV3Message.ReadScopedPdu(scoped, out _, out _);
                    opened++;
                }
            }
            catch (SnmpException)
            {
            }
        }

        Assert.InRange(opened, 1, 30_000);
    }

    [Fact]
    public void RandomBytes_AllDecoders_OnlyTypedErrors()
    {
        var random = new Random(99);
        Span<uint> arcs = stackalloc uint[SnmpOid.MaxArcs];
        for (int i = 0; i < 100_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (random.Next(4) == 0 && bytes.Length > 2)
            {
                bytes[0] = 0x30;
            }

            try
            {
                SnmpCommunityMessage.Read(bytes, out _, out _);
            }
            catch (SnmpException)
            {
            }

            try
            {
                SnmpV3Message.Read(bytes);
            }
            catch (SnmpException)
            {
            }

            if (BerLength.TryRead(bytes, out int length, out int consumed, out _))
            {
                Assert.InRange(consumed, 1, 5);
                Assert.True(length >= 0);
            }

            if (BerOid.TryReadContent(bytes, arcs, out int count, out _))
            {
                Assert.InRange(count, 2, SnmpOid.MaxArcs);
            }

            if (bytes.Length > 0)
            {
                _ = SnmpValueCodec.Read(bytes[0], bytes.AsSpan(1));
            }
        }
    }

    private static IEnumerable<byte[]> CommunitySeeds()
    {
        var trap = new SnmpPdu(SnmpPduType.TrapV2, 11, [
            new(SnmpNotification.SysUpTime, SnmpValue.TimeTicks(1234)),
            new(SnmpNotification.SnmpTrapOid, SnmpValue.ObjectIdentifier(SnmpOid.Parse("1.3.6.1.2.1.33.2.1"))),
            new(SnmpOid.Parse("1.3.6.1.2.1.33.1.2.3.0"), SnmpValue.Integer(42)),
            new(SnmpOid.Parse("1.3.6.1.2.1.1.5.0"), SnmpValue.OctetString("ups")),
            new(SnmpOid.Parse("1.3.6.1.2.1.31.1.1.1.6.1"), SnmpValue.Counter64(ulong.MaxValue)),
            new(SnmpOid.Parse("1.3.6.1.4.1.1.0"), SnmpValue.IpAddress([10, 0, 0, 5])),
            new(SnmpOid.Parse("1.3.6.1.4.1.2.0"), SnmpValue.Float(2.5f)),
        ]);
        yield return SnmpCommunityMessage.Write(new byte[1024], SnmpVersion.V2c, "public"u8, trap).ToArray();
        var v1 = new SnmpPdu(SnmpPduType.TrapV1, 0, [new(SnmpOid.Parse("1.3.6.1.2.1.33.1.2.3.0"), SnmpValue.Integer(5))])
        {
            Enterprise = SnmpOid.Parse("1.3.6.1.2.1.33.2"),
            AgentAddress = [10, 0, 0, 5],
            GenericTrap = 6,
            SpecificTrap = 1,
            TimeStamp = 99,
        };
        yield return SnmpCommunityMessage.Write(new byte[1024], SnmpVersion.V1, "public"u8, v1).ToArray();
        var response = new SnmpPdu(SnmpPduType.Response, -5, [new(SnmpOid.Parse("1.3.6.1.2.1.1.3.0"), SnmpValue.Exception(SnmpType.NoSuchInstance))]);
        yield return SnmpCommunityMessage.Write(new byte[1024], SnmpVersion.V2c, "public"u8, response).ToArray();
    }

    private static byte[] V3Seed(byte[] engine)
    {
        var trap = new SnmpPdu(SnmpPduType.TrapV2, 3, [
            new(SnmpNotification.SysUpTime, SnmpValue.TimeTicks(1)),
            new(SnmpNotification.SnmpTrapOid, SnmpValue.ObjectIdentifier(SnmpOid.Parse("1.3.6.1.2.1.33.2.1"))),
        ]);
        return UsmMessageProcessor.Encode(new byte[1024], 77, 65507, false, s_user, SnmpSecurityLevel.AuthPriv, engine, 1, 2, engine, [], trap, 5).ToArray();
    }

    /// <summary>Flip bits, overwrite bytes with length-like values, truncate, extend, or leave untouched (a quarter).</summary>
    private static byte[] Mutate(Random random, byte[] seed)
    {
        byte[] bytes = (byte[])seed.Clone();
        switch (random.Next(8))
        {
            case 0:
            case 1:
                return bytes;
            case 2:
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 3:
                bytes[random.Next(bytes.Length)] = (byte)(random.Next(2) == 0 ? 0x80 | random.Next(8) : random.Next(256));
                return bytes;
            case 4:
                return bytes[..random.Next(bytes.Length)];
            case 5:
                return [.. bytes, .. new byte[random.Next(1, 8)]];
            case 6:
                int at = random.Next(bytes.Length - 1);
                bytes[at] = 0x84;
                bytes[at + 1] = 0x7F;
                return bytes;
            default:
                for (int i = 0; i < 4; i++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
        }
    }
}
