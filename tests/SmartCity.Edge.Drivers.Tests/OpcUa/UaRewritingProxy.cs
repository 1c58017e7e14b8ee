using System.Buffers.Binary;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A man in the middle between our client and the real node-opcua server: it cuts both byte streams into UACP chunks
/// by their 8-byte header (OPC 10000-6 §7.1.2.2) and lets a test rewrite whole chunks from the server — what an active
/// attacker can do to anything that is not signed (GetEndpoints, and every message of a None channel). It records every
/// byte the client sent, so a test can assert a secret never crossed the wire, and the request types of the chunks it
/// can read (None and Sign channels; SignAndEncrypt bodies are ciphertext).
/// <code>
/// MSG/CLO chunk: [MessageType 3][ChunkType 1][MessageSize 4][SecureChannelId 4][TokenId 4][SequenceNumber 4][RequestId 4][body: TypeId NodeId …]
/// </code>
/// </summary>
internal sealed class UaRewritingProxy : LoopbackTcpForwarder
{
    /// <summary>Offset of the body in a symmetric (MSG/CLO) chunk.</summary>
    public const int SymmetricBodyOffset = 24;

    private readonly MemoryStream _fromClient = new();
    private readonly List<uint> _clientRequestTypes = [];
    private volatile Func<byte[], byte[]?>? _rewriteFromServer;

    public UaRewritingProxy(int targetPort)
        : base(targetPort)
    {
    }

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{Port}";

    /// <summary>Rewrites one whole chunk from the server (returns the replacement, or null to pass it on); null: none.</summary>
    public Func<byte[], byte[]?>? RewriteFromServer
    {
        get => _rewriteFromServer;
        set => _rewriteFromServer = value;
    }

    /// <summary>Everything the client sent, on every connection, in order.</summary>
    public byte[] ClientBytes
    {
        get
        {
            lock (_fromClient)
            {
                return _fromClient.ToArray();
            }
        }
    }

    /// <summary>The TypeIds of the MSG bodies the client sent that can be read (four-byte NodeIds in namespace 0).</summary>
    public IReadOnlyList<uint> ClientRequestTypes
    {
        get
        {
            lock (_fromClient)
            {
                return [.. _clientRequestTypes];
            }
        }
    }

    /// <summary>The TypeId of a symmetric chunk's body when it is readable (a four-byte NodeId <c>01 00 lo hi</c>), else null.</summary>
    public static uint? BodyTypeId(ReadOnlySpan<byte> chunk) =>
        chunk.Length >= SymmetricBodyOffset + 4 && chunk[SymmetricBodyOffset] == 0x01 && chunk[SymmetricBodyOffset + 1] == 0
            ? BinaryPrimitives.ReadUInt16LittleEndian(chunk[(SymmetricBodyOffset + 2)..])
            : null;

    /// <summary>A chunk with a new body after the same 24 header bytes, MessageSize set to match.</summary>
    public static byte[] WithBody(ReadOnlySpan<byte> chunk, ReadOnlySpan<byte> body)
    {
        byte[] result = new byte[SymmetricBodyOffset + body.Length];
        chunk[..SymmetricBodyOffset].CopyTo(result);
        body.CopyTo(result.AsSpan(SymmetricBodyOffset));
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), (uint)result.Length);
        return result;
    }

    /// <summary>True when the client's bytes contain <paramref name="secret"/> anywhere.</summary>
    public bool ClientSent(ReadOnlySpan<byte> secret) => ClientBytes.AsSpan().IndexOf(secret) >= 0;

    protected override Func<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> CreateRewriter(bool fromServer)
    {
        var pending = new List<byte>();
        return block =>
        {
            if (!fromServer)
            {
                lock (_fromClient)
                {
                    _fromClient.Write(block.Span);
                }
            }

            pending.AddRange(block.Span);
            using var output = new MemoryStream();
            while (pending.Count >= 8)
            {
                int size = (int)BinaryPrimitives.ReadUInt32LittleEndian([pending[4], pending[5], pending[6], pending[7]]);
                if (size < 8 || pending.Count < size)
                {
                    break;
                }

                byte[] chunk = pending.GetRange(0, size).ToArray();
                pending.RemoveRange(0, size);
                if (fromServer)
                {
                    chunk = (chunk.AsSpan(0, 3).SequenceEqual("MSG"u8) ? RewriteFromServer?.Invoke(chunk) : null) ?? chunk;
                }
                else if (chunk.AsSpan(0, 3).SequenceEqual("MSG"u8) && BodyTypeId(chunk) is { } type)
                {
                    lock (_fromClient)
                    {
                        _clientRequestTypes.Add(type);
                    }
                }

                output.Write(chunk);
            }

            return output.ToArray();
        };
    }
}

/// <summary>Rewrites of server responses on an unsecured (None) channel, built on our own decoder (proven against node-opcua).</summary>
internal static class UaResponseRewrites
{
    /// <summary>Changes the endpoint list of every GetEndpoints response (TypeId 431; always on a None channel).</summary>
    public static Func<byte[], byte[]?> GetEndpoints(Func<UaEndpointDescription[], UaEndpointDescription[]> change) => chunk =>
    {
        if (!TryReadHeader(chunk, UaTypeIds.GetEndpointsResponse, out int listAt))
        {
            return null;
        }

        ReadOnlySpan<byte> body = chunk.AsSpan(UaRewritingProxy.SymmetricBodyOffset);
        var reader = new UaBinaryReader(body[listAt..]);
        UaEndpointDescription[] endpoints = reader.ReadArray(UaEndpointDescription.Decode) ?? [];
        using var writer = new UaBinaryWriter();
        writer.WriteBytes(body[..listAt]);
        writer.WriteArray(change(endpoints), WriteEndpoint);
        return UaRewritingProxy.WithBody(chunk, writer.WrittenSpan);
    };

    /// <summary>Replaces the serverNonce of a CreateSession response (TypeId 464) on a None channel with one of <paramref name="length"/> bytes.</summary>
    public static Func<byte[], byte[]?> CreateSessionNonce(int length) => chunk =>
    {
        if (!TryReadHeader(chunk, UaTypeIds.CreateSessionResponse, out int fieldsAt))
        {
            return null;
        }

        ReadOnlySpan<byte> body = chunk.AsSpan(UaRewritingProxy.SymmetricBodyOffset);
        var reader = new UaBinaryReader(body[fieldsAt..]);
        reader.ReadNodeId(); // sessionId
        reader.ReadNodeId(); // authenticationToken
        reader.ReadDouble(); // revisedSessionTimeout
        int nonceAt = fieldsAt + reader.Position;
        reader.ReadByteString();
        int nonceEnd = fieldsAt + reader.Position;
        using var writer = new UaBinaryWriter();
        writer.WriteBytes(body[..nonceAt]);
        writer.WriteByteString(Enumerable.Repeat((byte)0x5A, length).ToArray());
        writer.WriteBytes(body[nonceEnd..]);
        return UaRewritingProxy.WithBody(chunk, writer.WrittenSpan);
    };

    /// <summary>Replaces the serverCertificate of every endpoint with bytes that are no certificate.</summary>
    public static UaEndpointDescription[] MalformedCertificates(UaEndpointDescription[] endpoints) =>
        endpoints.Select(e => e with { ServerCertificate = [0x30, 0x82, 0x01, 0x00, 0xDE, 0xAD, 0xBE, 0xEF] }).ToArray();

    /// <summary>True when the chunk carries a response of <paramref name="typeId"/>; <paramref name="fieldsAt"/> is where its fields start in the body (after TypeId and ResponseHeader).</summary>
    private static bool TryReadHeader(byte[] chunk, uint typeId, out int fieldsAt)
    {
        fieldsAt = 0;
        if (UaRewritingProxy.BodyTypeId(chunk) != typeId)
        {
            return false;
        }

        var reader = new UaBinaryReader(chunk.AsSpan(UaRewritingProxy.SymmetricBodyOffset));
        reader.ReadNodeId();
        UaResponseHeader.Decode(ref reader);
        fieldsAt = reader.Position;
        return true;
    }

    /// <summary>EndpointDescription (OPC 10000-4 §7.10) in the field order <see cref="UaEndpointDescription.Decode"/> reads.</summary>
    private static void WriteEndpoint(UaBinaryWriter writer, UaEndpointDescription endpoint)
    {
        writer.WriteString(endpoint.EndpointUrl);
        endpoint.Server.Encode(writer);
        writer.WriteByteString(endpoint.ServerCertificate);
        writer.WriteInt32((int)endpoint.SecurityMode);
        writer.WriteString(endpoint.SecurityPolicyUri);
        writer.WriteArray(endpoint.UserIdentityTokens, static (w, t) =>
        {
            w.WriteString(t.PolicyId);
            w.WriteInt32((int)t.TokenType);
            w.WriteString(t.IssuedTokenType);
            w.WriteString(t.IssuerEndpointUrl);
            w.WriteString(t.SecurityPolicyUri);
        });
        writer.WriteString(endpoint.TransportProfileUri);
        writer.WriteByte(endpoint.SecurityLevel);
    }
}
