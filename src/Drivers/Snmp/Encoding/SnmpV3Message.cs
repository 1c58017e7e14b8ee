namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// The SNMPv3 message with the User-based Security Model (RFC 3412 §6, RFC 3414 §2.4):
/// <code>
/// 30 { msgVersion INTEGER 3,
///      30 { msgID INTEGER, msgMaxSize INTEGER (484..2^31-1), msgFlags OCTET STRING (1), msgSecurityModel INTEGER (3) },
///      04 { 30 { msgAuthoritativeEngineID, msgAuthoritativeEngineBoots, msgAuthoritativeEngineTime,
///                msgUserName (0..32), msgAuthenticationParameters, msgPrivacyParameters } },
///      ScopedPDU 30 { contextEngineID, contextName, PDU }  |  04 encryptedPDU }
/// </code>
/// </summary>
internal static class SnmpV3Message
{
    public const int SecurityModelUsm = 3;

    /// <summary>RFC 3412 §6.3: a message engine must accept at least 484 octets.</summary>
    public const int MinMaxSize = 484;

    /// <summary>RFC 3411 §5: snmpEngineID is 5..32 octets (0 during discovery).</summary>
    public const int MaxEngineIdLength = 32;

    /// <summary>RFC 3414 §2.4: msgUserName is 0..32 octets.</summary>
    public const int MaxUserNameLength = 32;

    /// <summary>RFC 3411 §5: contextName is 0..32 octets.</summary>
    public const int MaxContextNameLength = 32;

    public static SnmpV3Envelope Read(ReadOnlySpan<byte> message)
    {
        var outer = new BerReader(message);
        BerReader body = outer.ReadSequence("message");
        if (outer.HasMore)
        {
            BerReader.Throw("bytes after the message");
        }

        if (body.ReadInteger("msgVersion", 0, 3) != 3)
        {
            BerReader.Throw("not an SNMPv3 message");
        }

        BerReader global = body.ReadSequence("msgGlobalData");
        int msgId = (int)global.ReadInteger("msgID", 0, int.MaxValue);
        int maxSize = (int)global.ReadInteger("msgMaxSize", MinMaxSize, int.MaxValue);
        ReadOnlySpan<byte> flagOctets = global.ReadOctetString("msgFlags", 1);
        if (flagOctets.Length != 1)
        {
            BerReader.Throw("msgFlags is not one octet");
        }

        var flags = (SnmpV3Flags)flagOctets[0];
        if ((flags & SnmpV3Flags.Priv) != 0 && (flags & SnmpV3Flags.Auth) == 0)
        {
            BerReader.Throw("msgFlags asks for privacy without authentication");
        }

        if (global.ReadInteger("msgSecurityModel", 0, int.MaxValue) != SecurityModelUsm)
        {
            BerReader.Throw("msgSecurityModel is not USM (3)");
        }

        int usmOffset = body.Offset;
        ReadOnlySpan<byte> usmOctets = body.Read(BerTag.OctetString, "msgSecurityParameters");
        var usmWrapper = new BerReader(usmOctets, usmOffset + (body.Offset - usmOffset - usmOctets.Length));
        BerReader usm = usmWrapper.ReadSequence("UsmSecurityParameters");
        ReadOnlySpan<byte> engineId = usm.ReadOctetString("msgAuthoritativeEngineID", MaxEngineIdLength);
        int boots = (int)usm.ReadInteger("msgAuthoritativeEngineBoots", 0, int.MaxValue);
        int time = (int)usm.ReadInteger("msgAuthoritativeEngineTime", 0, int.MaxValue);
        ReadOnlySpan<byte> user = usm.ReadOctetString("msgUserName", MaxUserNameLength);
        ReadOnlySpan<byte> authParams = usm.ReadAny(out byte authTag, out int authOffset);
        if (authTag != BerTag.OctetString || authParams.Length > 64)
        {
            BerReader.Throw("msgAuthenticationParameters is not an OCTET STRING of at most 64 octets");
        }

        ReadOnlySpan<byte> privParams = usm.ReadOctetString("msgPrivacyParameters", 32);
        bool encrypted = body.PeekTag() == BerTag.OctetString;
        ReadOnlySpan<byte> data;
        if (encrypted)
        {
            data = body.Read(BerTag.OctetString, "encryptedPDU");
        }
        else
        {
            int start = body.Offset;
            body.Read(BerTag.Sequence, "ScopedPDU");
            data = message[start..body.Offset];
        }

        if (body.HasMore)
        {
            BerReader.Throw("bytes after msgData");
        }

        return new SnmpV3Envelope
        {
            MsgId = msgId,
            MsgMaxSize = maxSize,
            Flags = flags,
            EngineId = engineId,
            EngineBoots = boots,
            EngineTime = time,
            UserName = user,
            AuthParameters = authParams,
            AuthParametersOffset = authOffset,
            PrivParameters = privParams,
            Data = data,
            IsEncrypted = encrypted,
        };
    }

    /// <summary>Reads a ScopedPDU; bytes after it (cipher padding) are ignored (RFC 3414 §8.1.1.3, RFC 3826 §3.1.4).</summary>
    public static SnmpPdu ReadScopedPdu(ReadOnlySpan<byte> scoped, out ReadOnlySpan<byte> contextEngineId, out ReadOnlySpan<byte> contextName, IReadOnlyList<SnmpOid>? expected = null)
    {
        var outer = new BerReader(scoped);
        BerReader body = outer.ReadSequence("ScopedPDU");
        contextEngineId = body.ReadOctetString("contextEngineID", MaxEngineIdLength);
        contextName = body.ReadOctetString("contextName", MaxContextNameLength);
        SnmpPdu pdu = SnmpPduCodec.Read(ref body, expected);
        if (body.HasMore)
        {
            BerReader.Throw("bytes after the PDU in the ScopedPDU");
        }

        if (pdu.Type == SnmpPduType.TrapV1)
        {
            BerReader.Throw("a v1 Trap-PDU in an SNMPv3 message");
        }

        return pdu;
    }

    /// <summary>Encodes a ScopedPDU into the end of <paramref name="buffer"/>.</summary>
    public static Span<byte> WriteScopedPdu(Span<byte> buffer, scoped ReadOnlySpan<byte> contextEngineId, scoped ReadOnlySpan<byte> contextName, SnmpPdu pdu)
    {
        var writer = new BerWriter(buffer);
        SnmpPduCodec.Write(ref writer, pdu);
        writer.WriteOctetString(contextName);
        writer.WriteOctetString(contextEngineId);
        writer.WriteConstructed(BerTag.Sequence, 0);
        return writer.Encoded;
    }

    /// <summary>
    /// Encodes a whole message into the end of <paramref name="buffer"/>. <paramref name="data"/> is the ScopedPDU TLV, or
    /// the ciphertext when <paramref name="encrypted"/>. The MAC field is <paramref name="macLength"/> zero octets at
    /// <paramref name="macOffset"/> of the returned span, for <see cref="UsmAuthentication.Sign"/> to fill.
    /// </summary>
    public static Span<byte> Write(
        Span<byte> buffer,
        int msgId,
        int maxSize,
        SnmpV3Flags flags,
        scoped ReadOnlySpan<byte> engineId,
        int boots,
        int time,
        scoped ReadOnlySpan<byte> userName,
        int macLength,
        scoped ReadOnlySpan<byte> privParameters,
        scoped ReadOnlySpan<byte> data,
        bool encrypted,
        out int macOffset)
    {
        var writer = new BerWriter(buffer);
        if (encrypted)
        {
            writer.WriteOctetString(data);
        }
        else
        {
            writer.WriteRaw(data);
        }

        int usmMark = writer.Written;
        writer.WriteOctetString(privParameters);
        int macFromEnd = writer.WriteOctetStringPlaceholder(macLength);
        writer.WriteOctetString(userName);
        writer.WriteInteger(time);
        writer.WriteInteger(boots);
        writer.WriteOctetString(engineId);
        writer.WriteConstructed(BerTag.Sequence, usmMark);
        writer.WriteConstructed(BerTag.OctetString, usmMark);

        int globalMark = writer.Written;
        writer.WriteInteger(SecurityModelUsm);
        Span<byte> flagOctet = [(byte)flags];
        writer.WriteOctetString(flagOctet);
        writer.WriteInteger(maxSize);
        writer.WriteInteger(msgId);
        writer.WriteConstructed(BerTag.Sequence, globalMark);
        writer.WriteInteger(3);
        writer.WriteConstructed(BerTag.Sequence, 0);
        macOffset = writer.Written - macFromEnd;
        return writer.Encoded;
    }
}
