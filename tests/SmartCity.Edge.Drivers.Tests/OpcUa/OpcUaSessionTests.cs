using System.Collections;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>Our OPC UA client against a real node-opcua server: session, Read, Write, Browse, TranslateBrowsePaths.</summary>
[Collection(OpcUaServerCollection.Name)]
public sealed class OpcUaSessionTests : IAsyncLifetime
{
    private readonly OpcUaServerFixture _fixture;
    private UaSession? _session;

    public OpcUaSessionTests(OpcUaServerFixture fixture) => _fixture = fixture;

    private UaSession Session => _session!;

    public async Task InitializeAsync() => _session = await ConnectAsync(_fixture.Server.EndpointUrl);

    public async Task DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.CloseAsync(CancellationToken.None);
        }
    }

    internal static async Task<UaSession> ConnectAsync(string url, string? user = null, string? password = null, string? pki = null)
    {
        UaEndpointUrl.TryParse(url, out UaEndpointUrl? endpoint, out _);
        var options = new UaClientOptions { Endpoint = endpoint!, UserName = user, Password = password };
        if (user is not null)
        {
            // A password over None: only with the opt-in, and only encrypted to a server certificate the trust list
            // accepts (here trusted on first use in the test's own PKI folder).
            var validator = new UaCertificateValidator(new UaCertificateStore(pki!), new UaCertificateValidationOptions(TrustOnFirstUse: true, CheckHostName: false), TimeProvider.System);
            options = options with { AllowInsecurePassword = true, ServerCertificateValidator = e => validator.Validate(e, endpoint!.Host) };
        }

        return await UaSession.CreateAsync(options, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());
    }

    [Theory]
    [MemberData(nameof(ScalarCases))]
    public async Task Read_EveryBuiltInScalar_MatchesServerValue(string name, UaBuiltInType type, object expected)
    {
        UaDataValue[] values = await Session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars." + name))], TestTimeouts.Token());

        Assert.True(values[0].StatusCode.IsGood, values[0].StatusCode.Name);
        Assert.Equal(type, values[0].Value.Type);
        Assert.False(values[0].Value.IsArray);
        Assert.True(StructuralComparisons.StructuralEqualityComparer.Equals(expected, values[0].Value.Value), $"{name}: expected {expected}, got {values[0].Value}");
    }

    [Theory]
    [MemberData(nameof(ArrayCases))]
    public async Task Read_EveryBuiltInArray_MatchesServerValue(string name, UaBuiltInType type, object expected)
    {
        UaDataValue[] values = await Session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Arrays." + name))], TestTimeouts.Token());

        Assert.True(values[0].StatusCode.IsGood, values[0].StatusCode.Name);
        Assert.Equal(type, values[0].Value.Type);
        Assert.True(values[0].Value.IsArray);
        Assert.True(StructuralComparisons.StructuralEqualityComparer.Equals(expected, values[0].Value.Value), $"{name}: expected {new UaVariant(type, expected)}, got {values[0].Value}");
    }

    [Fact]
    public async Task Read_Matrix_ReturnsFlattenedValuesWithDimensions()
    {
        UaDataValue[] values = await Session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Arrays.Matrix"))], TestTimeouts.Token());

        Assert.Equal(new[] { 1.0, 2, 3, 4, 5, 6 }, values[0].Value.Value);
        Assert.Equal(new[] { 2, 3 }, values[0].Value.Dimensions);
    }

    [Fact]
    public async Task Read_MoreNodesThanServerLimit_SplitsAndKeepsOrder()
    {
        // server.js sets maxNodesPerRead 250; Bench.N0000..N0999 hold 0..999.
        Assert.Equal(250u, Session.OperationLimits.MaxNodesPerRead);
        UaReadValueId[] nodes = Enumerable.Range(0, 1000).Select(i => new UaReadValueId(UaNodeId.FromString(1, $"Bench.N{i:D4}"))).ToArray();

        UaDataValue[] values = await Session.ReadAsync(nodes, TestTimeouts.Token());

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (double)i), values.Select(v => (double)v.Value.Value!));
    }

    [Fact]
    public async Task Read_UnknownNode_BadNodeIdUnknownForThatNodeOnly()
    {
        UaDataValue[] values = await Session.ReadAsync(
            [new UaReadValueId(UaNodeId.FromString(1, "No.Such.Node")), new UaReadValueId(UaNodeId.FromString(1, "Scalars.Int32"))],
            TestTimeouts.Token());

        Assert.Equal("BadNodeIdUnknown", values[0].StatusCode.Name);
        Assert.True(values[1].StatusCode.IsGood);
    }

    [Fact]
    public async Task Write_Double_ReadBackSameValue()
    {
        UaNodeId node = UaNodeId.FromString(1, "Writable.Double");
        UaStatusCode[] results = await Session.WriteAsync([new UaWriteValue(node, new UaDataValue(UaVariant.From(42.5)))], TestTimeouts.Token());
        UaDataValue[] values = await Session.ReadAsync([new UaReadValueId(node)], TestTimeouts.Token());

        Assert.True(results[0].IsGood, results[0].Name);
        Assert.Equal(42.5, values[0].Value.Value);
    }

    [Fact]
    public async Task Browse_ParkFolder_WalksTreeToEveryDoor()
    {
        var found = new List<string>();
        async Task WalkAsync(UaNodeId node, string path)
        {
            foreach (UaReferenceDescription reference in await Session.BrowseAsync(node, TestTimeouts.Token()))
            {
                string child = path + "/" + reference.BrowseName.Name;
                if (reference.NodeClass == UaNodeClass.Variable)
                {
                    found.Add(child + "=" + reference.NodeId.NodeId);
                }
                else if (reference.NodeClass == UaNodeClass.Object)
                {
                    await WalkAsync(reference.NodeId.NodeId, child);
                }
            }
        }

        await WalkAsync(UaNodeId.FromString(1, "Park"), "/Park");

        string[] expected = (from b in new[] { 1, 2 } from d in new[] { 1, 2, 3 } select $"/Park/Building{b}/Door{d}/Open=ns=1;s=Park.Building{b}.Door{d}.Open").ToArray();
        Assert.Equal(expected.OrderBy(s => s), found.OrderBy(s => s));
    }

    [Fact]
    public async Task Browse_WithOneReferencePerResponse_FollowsContinuationPoints()
    {
        UaReferenceDescription[] all = await Session.BrowseAsync(UaNodeId.FromString(1, "Scalars"), TestTimeouts.Token());
        UaReferenceDescription[] paged = await Session.BrowseAsync(UaNodeId.FromString(1, "Scalars"), maxReferencesPerNode: 1, TestTimeouts.Token());

        Assert.True(all.Length >= 20);
        Assert.Equal(all.Select(r => r.NodeId.ToString()).OrderBy(s => s), paged.Select(r => r.NodeId.ToString()).OrderBy(s => s));
    }

    [Fact]
    public async Task TranslateBrowsePaths_DoorPath_ResolvesToNodeId()
    {
        UaBrowsePathResult[] results = await Session.TranslateBrowsePathsAsync(
            [
                new UaBrowsePath(UaTypeIds.ObjectsFolder, [new(1, "Park"), new(1, "Building2"), new(1, "Door3"), new(1, "Open")]),
                new UaBrowsePath(UaTypeIds.ObjectsFolder, [new(1, "Park"), new(1, "Nowhere")]),
            ],
            TestTimeouts.Token());

        Assert.True(results[0].StatusCode.IsGood, results[0].StatusCode.Name);
        Assert.Equal(UaNodeId.FromString(1, "Park.Building2.Door3.Open"), results[0].Targets.Single().NodeId);
        Assert.Equal("BadNoMatch", results[1].StatusCode.Name);
    }

    [Fact]
    public async Task SmallBuffers_LargeRequestAndResponse_TravelInSeveralChunks()
    {
        // 8 KiB chunks both ways: the 250-value Write request (~10 KB) and the Browse of 1,000 nodes (~60 KB)
        // only fit when chunked; an unchunked one would be refused as Bad_TcpMessageTooLarge.
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? endpoint, out _);
        var small = new UaTransportLimits(8192, 8192, 1024 * 1024, 256);
        var options = new UaClientOptions { Endpoint = endpoint!, Channel = UaSecureChannelOptions.Default with { Limits = small } };
        await using UaSession session = await UaSession.CreateAsync(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TestTimeouts.Token());

        UaWriteValue[] writes = Enumerable.Range(0, 250).Select(i => new UaWriteValue(UaNodeId.FromString(1, "Writable.Double"), new UaDataValue(UaVariant.From((double)i)))).ToArray();
        UaStatusCode[] results = await session.WriteAsync(writes, TestTimeouts.Token());
        UaReferenceDescription[] references = await session.BrowseAsync(UaNodeId.FromString(1, "Bench"), TestTimeouts.Token());

        Assert.Equal(8192u, session.Channel.Limits.SendBufferSize);
        Assert.All(results, r => Assert.True(r.IsGood, r.Name));
        Assert.Equal(1000, references.Count(r => r.BrowseName.Name!.StartsWith('N')));
    }

    [Fact]
    public async Task SmallMaxMessageSize_ResponseTooLarge_RequestFailsChannelStaysUsable()
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? endpoint, out _);
        var small = new UaTransportLimits(8192, 8192, 32 * 1024, 64);
        var options = new UaClientOptions { Endpoint = endpoint!, Channel = UaSecureChannelOptions.Default with { Limits = small } };
        await using UaSession session = await UaSession.CreateAsync(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TestTimeouts.Token());

        UaException error = await Assert.ThrowsAnyAsync<UaException>(() => session.BrowseAsync(UaNodeId.FromString(1, "Bench"), TestTimeouts.Token()));
        UaDataValue[] after = await session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Int32"))], TestTimeouts.Token());

        Assert.Contains(error.StatusCode.Name, new[] { "BadResponseTooLarge", "BadTcpMessageTooLarge", "BadEncodingLimitsExceeded" });
        Assert.Equal(-2000000000, after[0].Value.Value);
    }

    [Fact]
    public async Task ShortTokenLifetime_TokenRenewedBeforeExpiry_ChannelKeepsWorking()
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? endpoint, out _);
        var options = new UaClientOptions { Endpoint = endpoint!, Channel = UaSecureChannelOptions.Default with { RequestedLifetime = TimeSpan.FromSeconds(2) } };
        await using UaSession session = await UaSession.CreateAsync(options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TestTimeouts.Token());
        uint firstToken = session.Channel.TokenId;

        // Renewal happens at 75 % of the revised lifetime; keep reading across at least two renewals.
        using var timeout = new CancellationTokenSource(TestTimeouts.Passing);
        while (session.Channel.TokenId < firstToken + 2)
        {
            UaDataValue[] values = await session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Int32"))], timeout.Token);
            Assert.Equal(-2000000000, values[0].Value.Value);
            await Task.Delay(100, timeout.Token); // pacing the reads, not synchronising on the renewal
        }

        Assert.Equal(UaSecureChannelState.Open, session.Channel.State);
    }

    [Fact]
    public async Task CreateSession_WithUserNameAndPassword_EncryptsPasswordAndReads()
    {
        DirectoryInfo pki = Directory.CreateTempSubdirectory("smartcity-edge-opcua-pki-");
        await using UaSession session = await ConnectAsync(_fixture.Server.EndpointUrl, "technician", "s3cret", pki.FullName);

        UaDataValue[] values = await session.ReadAsync([new UaReadValueId(UaNodeId.FromString(1, "Scalars.Int32"))], TestTimeouts.Token());

        Assert.Equal(-2000000000, values[0].Value.Value);
        Assert.Single(new UaCertificateStore(pki.FullName).List(new UaCertificateStore(pki.FullName).TrustedDirectory));
        await session.CloseAsync(TestTimeouts.Token());
        pki.Delete(recursive: true);
    }

    [Fact]
    public async Task CreateSession_WithWrongPassword_BadUserAccessDenied()
    {
        DirectoryInfo pki = Directory.CreateTempSubdirectory("smartcity-edge-opcua-pki-");
        UaServiceException error = await Assert.ThrowsAsync<UaServiceException>(() => ConnectAsync(_fixture.Server.EndpointUrl, "technician", "wrong", pki.FullName));
        pki.Delete(recursive: true);

        Assert.Equal("BadUserAccessDenied", error.StatusCode.Name);
    }

    [Fact]
    public async Task GetEndpoints_NoneServer_OffersNoneWithAnonymousAndUserName()
    {
        UaEndpointUrl.TryParse(_fixture.Server.EndpointUrl, out UaEndpointUrl? url, out _);
        UaEndpointDescription[] endpoints = await UaSession.GetEndpointsAsync(url!, UaSecureChannelOptions.Default, TimeProvider.System, NullLogger.Instance, TestTimeouts.Token());

        UaEndpointDescription none = Assert.Single(endpoints, e => e.SecurityMode == UaMessageSecurityMode.None);
        Assert.Contains(none.UserIdentityTokens, t => t.TokenType == UaUserTokenType.Anonymous);
        Assert.Contains(none.UserIdentityTokens, t => t.TokenType == UaUserTokenType.UserName);
    }

    public static TheoryData<string, UaBuiltInType, object> ScalarCases => OpcUaServerValues.Scalars;

    public static TheoryData<string, UaBuiltInType, object> ArrayCases => OpcUaServerValues.Arrays;
}
