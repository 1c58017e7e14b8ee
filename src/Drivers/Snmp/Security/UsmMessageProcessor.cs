using System.Buffers;
using System.Buffers.Binary;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// USM on whole messages (RFC 3414 §3.1 outgoing, §3.2 incoming): encrypt the ScopedPDU, frame, sign; and check the
/// MAC, then decrypt. Time-window checks are the caller's (client and trap receiver keep different engine state).
/// </summary>
internal static class UsmMessageProcessor
{
    /// <summary>
    /// Encodes <paramref name="pdu"/> as a v3 message into the end of <paramref name="buffer"/>. <paramref name="user"/>
    /// null means discovery (empty user, noAuthNoPriv). <paramref name="salt"/> is the next value of the sender's
    /// privacy counter (RFC 3826 §3.1.2.1: a 64-bit integer, different for every message).
    /// </summary>
    public static Span<byte> Encode(
        Span<byte> buffer,
        int msgId,
        int maxSize,
        bool reportable,
        UsmUser? user,
        SnmpSecurityLevel level,
        scoped ReadOnlySpan<byte> engineId,
        int boots,
        int time,
        scoped ReadOnlySpan<byte> contextEngineId,
        scoped ReadOnlySpan<byte> contextName,
        SnmpPdu pdu,
        ulong salt)
    {
        UsmLocalizedKeys keys = user is not null && level != SnmpSecurityLevel.NoAuthNoPriv ? user.KeysFor(engineId) : new UsmLocalizedKeys([], []);
        SnmpV3Flags flags = reportable ? SnmpV3Flags.Reportable : SnmpV3Flags.None;
        if (level >= SnmpSecurityLevel.AuthNoPriv)
        {
            flags |= SnmpV3Flags.Auth;
        }

        byte[] scratch = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        try
        {
            Span<byte> scoped = SnmpV3Message.WriteScopedPdu(scratch.AsSpan(0, buffer.Length), contextEngineId, contextName, pdu);
            ReadOnlySpan<byte> data = scoped;
            Span<byte> privParams = stackalloc byte[UsmPrivacy.SaltLength];
            bool encrypted = level == SnmpSecurityLevel.AuthPriv;
            if (encrypted)
            {
                flags |= SnmpV3Flags.Priv;
                if (user!.Priv == SnmpPrivProtocol.Des)
                {
                    // RFC 3414 §8.1.1.1: salt = engine boots ‖ a local 32-bit counter.
                    BinaryPrimitives.WriteInt32BigEndian(privParams, boots);
                    BinaryPrimitives.WriteUInt32BigEndian(privParams[4..], (uint)salt);
                }
                else
                {
                    BinaryPrimitives.WriteUInt64BigEndian(privParams, salt);
                }

                Span<byte> cipher = scratch.AsSpan(buffer.Length, UsmPrivacy.CipherLength(user.Priv, scoped.Length));
                UsmPrivacy.Encrypt(user.Priv, keys.PrivKey, boots, time, privParams, scoped, cipher);
                data = cipher;
            }

            int macLength = level >= SnmpSecurityLevel.AuthNoPriv ? user!.MacLength : 0;
            Span<byte> message = SnmpV3Message.Write(
                buffer,
                msgId,
                maxSize,
                flags,
                engineId,
                boots,
                time,
                user is null ? [] : user.NameBytes,
                macLength,
                encrypted ? privParams : [],
                data,
                encrypted,
                out int macOffset);
            if (macLength > 0)
            {
                UsmAuthentication.Sign(user!.Auth, keys.AuthKey, message, message.Slice(macOffset, macLength));
            }

            return message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch, clearArray: true);
        }
    }

    /// <summary>
    /// Checks the security level and MAC of <paramref name="envelope"/> for <paramref name="user"/> and returns the
    /// plaintext ScopedPDU (decrypted into <paramref name="plaintext"/> when encrypted; as long as the ciphertext).
    /// <paramref name="allowAuthNoPriv"/> accepts an authNoPriv message for an authPriv user: Reports come that way
    /// (RFC 3414 §3.2 step 7b sends NotInTimeWindows at authNoPriv); the caller must then accept only a Report.
    /// </summary>
    public static UsmOpenStatus Open(ReadOnlySpan<byte> message, in SnmpV3Envelope envelope, UsmUser user, Span<byte> plaintext, out ReadOnlySpan<byte> scopedPdu, bool allowAuthNoPriv = false)
    {
        scopedPdu = default;
        SnmpSecurityLevel level = (envelope.Flags & SnmpV3Flags.Priv) != 0 ? SnmpSecurityLevel.AuthPriv
            : (envelope.Flags & SnmpV3Flags.Auth) != 0 ? SnmpSecurityLevel.AuthNoPriv
            : SnmpSecurityLevel.NoAuthNoPriv;

        // A message above the user's level cannot be processed (no keys); one below would let a forger skip the MAC.
        bool reportLevel = allowAuthNoPriv && level == SnmpSecurityLevel.AuthNoPriv && user.Level == SnmpSecurityLevel.AuthPriv;
        if (level != user.Level && !reportLevel)
        {
            return UsmOpenStatus.UnsupportedSecurityLevel;
        }

        if (level == SnmpSecurityLevel.NoAuthNoPriv)
        {
            scopedPdu = envelope.Data;
            return envelope.IsEncrypted ? UsmOpenStatus.DecryptionError : UsmOpenStatus.Ok;
        }

        UsmLocalizedKeys keys = user.KeysFor(envelope.EngineId);
        if (!UsmAuthentication.Verify(user.Auth, keys.AuthKey, message, envelope.AuthParametersOffset, envelope.AuthParameters.Length))
        {
            return UsmOpenStatus.WrongDigest;
        }

        if (level == SnmpSecurityLevel.AuthNoPriv)
        {
            scopedPdu = envelope.Data;
            return envelope.IsEncrypted ? UsmOpenStatus.DecryptionError : UsmOpenStatus.Ok;
        }

        if (!envelope.IsEncrypted || envelope.Data.Length > plaintext.Length
            || !UsmPrivacy.TryDecrypt(user.Priv, keys.PrivKey, envelope.EngineBoots, envelope.EngineTime, envelope.PrivParameters, envelope.Data, plaintext))
        {
            return UsmOpenStatus.DecryptionError;
        }

        scopedPdu = plaintext[..envelope.Data.Length];
        return UsmOpenStatus.Ok;
    }
}
