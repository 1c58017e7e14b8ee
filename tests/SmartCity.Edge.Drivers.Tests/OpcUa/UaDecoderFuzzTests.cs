using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// Random, mutated and truncated input to the decoders and to the secure channel: the only failures allowed are
/// our typed errors (<see cref="UaException"/> subclasses), never a crash or a foreign exception. Seeds are fixed
/// so a failure reproduces.
/// </summary>
public sealed class UaDecoderFuzzTests
{
    private delegate void Decode(ref UaBinaryReader reader);

    private static readonly (string Name, Decode Decode)[] s_decoders =
    [
        ("Variant", static (ref UaBinaryReader r) => r.ReadVariant()),
        ("DataValue", static (ref UaBinaryReader r) => r.ReadDataValue()),
        ("DiagnosticInfo", static (ref UaBinaryReader r) => r.ReadDiagnosticInfo()),
        ("ExtensionObject", static (ref UaBinaryReader r) => r.ReadExtensionObject()),
        ("ExpandedNodeId", static (ref UaBinaryReader r) => r.ReadExpandedNodeId()),
        ("LocalizedText", static (ref UaBinaryReader r) => r.ReadLocalizedText()),
        ("ResponseHeader", static (ref UaBinaryReader r) => UaResponseHeader.Decode(ref r)),
        ("ReadResponse", static (ref UaBinaryReader r) => ReadResponse.Decode(ref r, null!)),
        ("BrowseResponse", static (ref UaBinaryReader r) => BrowseResponse.Decode(ref r, null!)),
        ("PublishResponse", static (ref UaBinaryReader r) => PublishResponse.Decode(ref r, null!)),
        ("CreateSessionResponse", static (ref UaBinaryReader r) => CreateSessionResponse.Decode(ref r, null!)),
        ("GetEndpointsResponse", static (ref UaBinaryReader r) => GetEndpointsResponse.Decode(ref r, null!)),
        ("TransferSubscriptionsResponse", static (ref UaBinaryReader r) => TransferSubscriptionsResponse.Decode(ref r, null!)),
    ];

    [Fact]
    public void Decoders_RandomBytes_OnlyTypedErrors()
    {
        var random = new Random(4242);
        var limits = new UaEncodingLimits(4096, 4096, 16);
        foreach ((string name, Decode decode) in s_decoders)
        {
            for (int i = 0; i < 2000; i++)
            {
                byte[] bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
                AssertOnlyTypedErrors(name, bytes, decode, limits);
            }
        }
    }

    [Fact]
    public void Decoders_TruncatedAndMutatedValidEncodings_OnlyTypedErrors()
    {
        var random = new Random(7);
        var limits = new UaEncodingLimits(4096, 4096, 16);
        foreach (byte[] valid in ValidEncodings())
        {
            for (int cut = 0; cut < valid.Length; cut++)
            {
                AssertOnlyTypedErrors("truncated", valid.AsSpan(0, cut).ToArray(), static (ref UaBinaryReader r) => r.ReadVariant(), limits);
            }

            for (int i = 0; i < 500; i++)
            {
                byte[] mutated = (byte[])valid.Clone();
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                AssertOnlyTypedErrors("mutated", mutated, static (ref UaBinaryReader r) => r.ReadVariant(), limits);
            }
        }
    }

    [Fact]
    public async Task SecureChannel_FuzzedOpenResponseChunks_OnlyTypedErrors()
    {
        var random = new Random(99);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        UaEndpointUrl.TryParse($"opc.tcp://127.0.0.1:{port}", out UaEndpointUrl? url, out _);
        int opened = 0;
        for (int i = 0; i < 150; i++)
        {
            int kind = i % 3;
            Task server = ServeOnceAsync(listener, random, kind);
            try
            {
                await using UaSecureChannel channel = await UaSecureChannel.OpenAsync(url!, UaSecurityPolicyNone.Instance, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());
                opened++;
            }
            catch (UaException ex) when (ex.StatusCode.Code is not (UaStatusCodes.BadInternalError or UaStatusCodes.BadTimeout))
            {
                // Expected: a typed protocol error, found at once (not a timeout, not our internal-error net).
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i} (kind {kind}): {ex.GetType().Name}: {ex.Message}");
            }

            await server.WaitAsync(TestTimeouts.Passing);
        }

        Assert.True(opened < 150, "fuzzed responses must not all be accepted");
    }

    private static async Task ServeOnceAsync(TcpListener listener, Random random, int kind)
    {
        using TcpClient client = await listener.AcceptTcpClientAsync();
        NetworkStream stream = client.GetStream();
        byte[] hello = await UaTestChunks.ReadChunkAsync(stream);
        Assert.Equal((byte)'H', hello[0]);
        byte[] ack = new byte[28];
        new UaAcknowledgeMessage(0, new UaTransportLimits(65535, 65535, 0, 0)).TryWrite(ack, out _);
        await stream.WriteAsync(ack);
        byte[] open = await UaTestChunks.ReadChunkAsync(stream);
        byte[] response = BuildOpenResponse(open);
        byte[] chunk = kind switch
        {
            0 => response.AsSpan(0, random.Next(8, response.Length)).ToArray(), // truncated, then the socket closes
            1 => Mutate(response, random),
            _ => RandomChunk(random),
        };
        await stream.WriteAsync(chunk);
        client.Client.Shutdown(SocketShutdown.Send);
        try
        {
            while (await stream.ReadAsync(new byte[256]) > 0)
            {
                // drain until the client closes
            }
        }
        catch (IOException)
        {
        }
    }

    private static byte[] Mutate(byte[] response, Random random)
    {
        byte[] copy = (byte[])response.Clone();
        for (int flips = random.Next(1, 4); flips > 0; flips--)
        {
            copy[random.Next(12, copy.Length)] = (byte)random.Next(256); // keep the 12-byte header: fuzz what follows
        }

        return copy;
    }

    private static byte[] RandomChunk(Random random)
    {
        byte[] chunk = new byte[random.Next(12, 200)];
        random.NextBytes(chunk);
        "OPNF"u8.CopyTo(chunk);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)chunk.Length);
        return chunk;
    }

    /// <summary>A valid OpenSecureChannelResponse (None) for the request in <paramref name="open"/>.</summary>
    private static byte[] BuildOpenResponse(byte[] open)
    {
        var reader = new UaBinaryReader(open.AsSpan(12));
        reader.ReadString();
        reader.ReadByteString();
        reader.ReadByteString();
        uint sequence = reader.ReadUInt32();
        uint requestId = reader.ReadUInt32();
        using var writer = new UaBinaryWriter();
        writer.WriteBytes("OPNF"u8);
        writer.WriteUInt32(0);
        writer.WriteUInt32(5); // SecureChannelId
        writer.WriteString(UaSecurityPolicyNone.Uri);
        writer.WriteByteString(null);
        writer.WriteByteString(null);
        writer.WriteUInt32(sequence);
        writer.WriteUInt32(requestId);
        writer.WriteNodeId(UaTypeIds.OpenSecureChannelResponse);
        writer.WriteDateTime(DateTime.UtcNow);
        writer.WriteUInt32(requestId);
        writer.WriteUInt32(0);
        writer.WriteByte(0);
        writer.WriteInt32(-1);
        writer.WriteExtensionObject(UaExtensionObject.Null);
        writer.WriteUInt32(0);
        writer.WriteUInt32(5);
        writer.WriteUInt32(1);
        writer.WriteDateTime(DateTime.UtcNow);
        writer.WriteUInt32(600000);
        writer.WriteByteString(null);
        return UaTestChunks.Finish(writer);
    }

    private static IEnumerable<byte[]> ValidEncodings()
    {
        UaVariant[] values =
        [
            new UaVariant(UaBuiltInType.DataValue, new UaDataValue(UaVariant.From("x"), new UaStatusCode(UaStatusCodes.BadNodeIdUnknown), DateTime.UtcNow, 1, DateTime.UtcNow, 2)),
            new UaVariant(UaBuiltInType.Int32, new[] { 1, 2, 3, 4, 5, 6 }, [2, 3]),
            new UaVariant(UaBuiltInType.DiagnosticInfo, new UaDiagnosticInfo(1, 2, 3, 4, "x", new UaStatusCode(1), new UaDiagnosticInfo(5))),
            new UaVariant(UaBuiltInType.ExpandedNodeId, new UaExpandedNodeId(UaNodeId.FromGuid(3, Guid.NewGuid()), "urn:a", 9)),
            new UaVariant(UaBuiltInType.Variant, new[] { UaVariant.From("a"), new UaVariant(UaBuiltInType.LocalizedText, new UaLocalizedText("en", "b")) }),
            new UaVariant(UaBuiltInType.ExtensionObject, new UaExtensionObject(UaNodeId.FromString(2, "T"), UaExtensionObjectEncoding.Binary, [1, 2, 3])),
        ];
        foreach (UaVariant value in values)
        {
            using var writer = new UaBinaryWriter();
            writer.WriteVariant(value);
            yield return writer.WrittenSpan.ToArray();
        }
    }

    private static void AssertOnlyTypedErrors(string name, byte[] bytes, Decode decode, UaEncodingLimits limits)
    {
        try
        {
            var reader = new UaBinaryReader(bytes, limits);
            decode(ref reader);
        }
        catch (UaException)
        {
            // typed: fine
        }
        catch (Exception ex)
        {
            Assert.Fail($"{name} on {Convert.ToHexString(bytes)} threw {ex.GetType().Name}: {ex.Message}");
        }
    }
}
