using System.Text;
using SmartCity.Edge.Drivers.Snmp;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>USM crypto against published vectors: RFC 3414 A.3, RFC 7860 keys, NIST CFB, and a message net-snmp sent.</summary>
public sealed class SnmpUsmTests
{
    private const string MapleEngine = "000000000000000000000002";

    [Theory]
    [InlineData(SnmpAuthProtocol.Md5, "9faf3283884e92834ebc9847d8edd963", "526f5eed9fcce26f8964c2930787d82b")]
    [InlineData(SnmpAuthProtocol.Sha1, "9fb5cc0381497b3793528939ff788d5d79145211", "6695febc9288e36282235fc7151f128497b38f3f")]
    public void KeyLocalization_Rfc3414A3_Vectors(SnmpAuthProtocol protocol, string ku, string kul)
    {
        byte[] key = UsmKeyLocalizer.PasswordToKey(protocol, "maplesyrup");
        Assert.Equal(ku, Convert.ToHexStringLower(key));
        Assert.Equal(kul, Convert.ToHexStringLower(UsmKeyLocalizer.Localize(protocol, key, Convert.FromHexString(MapleEngine))));
    }

    [Theory]
    [InlineData(SnmpAuthProtocol.Sha224, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674")]
    [InlineData(SnmpAuthProtocol.Sha256, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b")]
    [InlineData(SnmpAuthProtocol.Sha384, "3b298f16164a11184279d5432bf169e2d2a48307de02b3d3f7e2b4f36eb6f0455a53689a3937eea07319a633d2ccba78")]
    [InlineData(SnmpAuthProtocol.Sha512, "22a5a36cedfcc085807a128d7bc6c2382167ad6c0dbc5fdff856740f3d84c099ad1ea87a8db096714d9788bd544047c9021e4229ce27e4c0a69250adfcffbb0b")]
    public void KeyLocalization_Sha2_Rfc7860Keys(SnmpAuthProtocol protocol, string kul)
    {
        byte[] key = UsmKeyLocalizer.PasswordToKey(protocol, "maplesyrup");
        Assert.Equal(kul, Convert.ToHexStringLower(UsmKeyLocalizer.Localize(protocol, key, Convert.FromHexString(MapleEngine))));
    }

    [Fact]
    public void Sha224_Fips180Example()
    {
        byte[] digest = new byte[28];
        Sha224.Hash("abc"u8, digest);
        Assert.Equal("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", Convert.ToHexStringLower(digest));
        Sha224.Hash(Encoding.ASCII.GetBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"), digest);
        Assert.Equal("75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void HmacSha224_Rfc4231Case2()
    {
        byte[] mac = new byte[28];
        Sha224.Hmac("Jefe"u8, "what do ya want for nothing?"u8, mac);
        Assert.Equal("a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44", Convert.ToHexStringLower(mac));
    }

    [Fact]
    public void AesCfb128_NistSp80038aF313()
    {
        byte[] key = Convert.FromHexString("2b7e151628aed2a6abf7158809cf4f3c");
        byte[] iv = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
        byte[] plain = Convert.FromHexString("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        byte[] cipher = new byte[plain.Length];
        UsmPrivacy.AesCfb(key, iv, plain, cipher, encrypt: true);
        Assert.Equal("3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b", Convert.ToHexStringLower(cipher));

        // A short last block (CFB needs no padding) and the way back.
        byte[] back = new byte[21];
        UsmPrivacy.AesCfb(key, iv, cipher.AsSpan(0, 21), back, encrypt: false);
        Assert.Equal(plain[..21], back);
    }

    /// <summary>snmp-notes §3 [obs]: an authPriv (SHA/AES) Response from snmpd, engine 80001f8804677774657374, user usha.</summary>
    private const string NetSnmpResponse =
        "3081910201033011020476f69eca020300ffe304010302010304333031040b80001f880467777465737402010102011f040475736861040c8ee0ac026d2defd3d737e61504087d8843788296e2e30444acdad564c6b02711e84280bc6cb103a4d46bf6d338edf92943c644208fbcac8a91545453e6fcba815674290d8c92f4835142ef622bb0ce3cdd6a9d0bcaa54c419b4cbea1";

    [Fact]
    public void EndToEnd_NetSnmpResponse_VerifiesDecryptsAndReencodesIdentically()
    {
        byte[] message = Convert.FromHexString(NetSnmpResponse);
        var user = new UsmUser("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123");
        UsmLocalizedKeys keys = user.KeysFor(Convert.FromHexString("80001f8804677774657374"));
        Assert.Equal("2597a1eb05c2a9a829e4e97ca789d72dc835c9e9", Convert.ToHexStringLower(keys.AuthKey));
        Assert.Equal("a6d98a54706a96beb571b3f4591b53225108fc80", Convert.ToHexStringLower(keys.PrivKey));

        SnmpV3Envelope envelope = SnmpV3Message.Read(message);
        Assert.Equal("8ee0ac026d2defd3d737e615", Convert.ToHexStringLower(envelope.AuthParameters));
        Assert.Equal((1, 31), (envelope.EngineBoots, envelope.EngineTime));
        byte[] plaintext = new byte[message.Length];
        Assert.Equal(UsmOpenStatus.Ok, UsmMessageProcessor.Open(message, envelope, user, plaintext, out ReadOnlySpan<byte> scoped));
        Assert.Equal("3042040B80001F88", Convert.ToHexString(scoped[..8]));
        SnmpPdu pdu = SnmpV3Message.ReadScopedPdu(scoped, out ReadOnlySpan<byte> contextEngine, out _);
        Assert.Equal(SnmpPduType.Response, pdu.Type);
        Assert.Equal("TestAgent for gateway", pdu.VarBinds[0].Value.ValueText());

        // Same fields, same salt: our encoder must produce net-snmp's bytes exactly (CFB, framing and MAC).
        byte[] buffer = new byte[1024];
        Span<byte> again = UsmMessageProcessor.Encode(
            buffer,
            envelope.MsgId,
            envelope.MsgMaxSize,
            reportable: false,
            user,
            SnmpSecurityLevel.AuthPriv,
            envelope.EngineId,
            envelope.EngineBoots,
            envelope.EngineTime,
            contextEngine,
            [],
            pdu,
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(envelope.PrivParameters));
        Assert.Equal(NetSnmpResponse, Convert.ToHexStringLower(again));
    }

    [Fact]
    public void Open_OneBitFlipped_WrongDigest()
    {
        byte[] message = Convert.FromHexString(NetSnmpResponse);
        message[^3] ^= 0x01;
        var user = new UsmUser("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.Aes128, "privpass123");
        SnmpV3Envelope envelope = SnmpV3Message.Read(message);
        Assert.Equal(UsmOpenStatus.WrongDigest, UsmMessageProcessor.Open(message, envelope, user, new byte[message.Length], out _));
    }

    [Fact]
    public void Open_WrongPassword_WrongDigest_AndAuthOnlyUser_UnsupportedLevel()
    {
        byte[] message = Convert.FromHexString(NetSnmpResponse);
        SnmpV3Envelope envelope = SnmpV3Message.Read(message);
        var wrong = new UsmUser("usha", SnmpAuthProtocol.Sha1, "authpass124", SnmpPrivProtocol.Aes128, "privpass123");
        Assert.Equal(UsmOpenStatus.WrongDigest, UsmMessageProcessor.Open(message, envelope, wrong, new byte[message.Length], out _));
        var authOnly = new UsmUser("usha", SnmpAuthProtocol.Sha1, "authpass123", SnmpPrivProtocol.None, null);
        Assert.Equal(UsmOpenStatus.UnsupportedSecurityLevel, UsmMessageProcessor.Open(message, envelope, authOnly, new byte[message.Length], out _));
    }

    [Theory]
    [InlineData(SnmpAuthProtocol.Md5, SnmpPrivProtocol.Des)]
    [InlineData(SnmpAuthProtocol.Sha224, SnmpPrivProtocol.Aes128)]
    [InlineData(SnmpAuthProtocol.Sha512, SnmpPrivProtocol.Aes128)]
    [InlineData(SnmpAuthProtocol.Sha256, SnmpPrivProtocol.None)]
    public void EncodeThenOpen_EveryProtocol_RoundTrips(SnmpAuthProtocol auth, SnmpPrivProtocol priv)
    {
        var user = new UsmUser("u", auth, "authpass123", priv, priv == SnmpPrivProtocol.None ? null : "privpass123");
        byte[] engine = Convert.FromHexString("80001f8804677774657374");
        var pdu = new SnmpPdu(SnmpPduType.GetRequest, 99, [SnmpVarBind.Request(SnmpOid.Parse("1.3.6.1.2.1.1.1.0"))]);
        byte[] buffer = new byte[1024];
        byte[] message = UsmMessageProcessor.Encode(buffer, 5, 65507, true, user, user.Level, engine, 3, 1000, engine, [], pdu, 0x0102030405060708).ToArray();
        SnmpV3Envelope envelope = SnmpV3Message.Read(message);
        Assert.Equal(UsmAuthentication.MacLength(auth), envelope.AuthParameters.Length);
        Assert.Equal(UsmOpenStatus.Ok, UsmMessageProcessor.Open(message, envelope, user, new byte[message.Length], out ReadOnlySpan<byte> scoped));
        SnmpPdu back = SnmpV3Message.ReadScopedPdu(scoped, out _, out _);
        Assert.Equal(99, back.RequestId);
    }

    [Fact]
    public void Discovery_MatchesNetSnmpProbe()
    {
        // snmp-notes §3 [obs]: flags 04, empty USM parameters, empty ScopedPDU GetRequest.
        var pdu = new SnmpPdu(SnmpPduType.GetRequest, 0x11223344, []);
        byte[] buffer = new byte[256];
        string hex = Convert.ToHexString(UsmMessageProcessor.Encode(buffer, 0x01020304, 65507, true, null, SnmpSecurityLevel.NoAuthNoPriv, [], 0, 0, [], [], pdu, 0));
        Assert.Contains("041030" + "0E04000201000201000400040004" + "00", hex, StringComparison.Ordinal);
        Assert.Contains("3014040004" + "00A00E021411223344".Replace("0214", "0204", StringComparison.Ordinal), hex, StringComparison.Ordinal);
        Assert.Contains("040104", hex, StringComparison.Ordinal);
    }
}
