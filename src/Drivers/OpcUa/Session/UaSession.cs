using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// A session (OPC 10000-4 §5.6) on a secure channel, and the attribute, view and subscription service calls made
/// in it. Requests larger than the server's operation limits are split. The channel can be swapped for a new one
/// by <see cref="ReactivateAsync"/> after a connection loss (§6.7: ActivateSession first on the new channel).
/// </summary>
public sealed class UaSession : IAsyncDisposable
{
    /// <summary>Parts of a split Read in flight at once: enough to hide the round trip, few enough not to flood the server.</summary>
    private const int MaxParallelParts = 4;

    /// <summary>OPC 10000-4 §5.6.2: a server nonce shorter than this is refused (it would let a recorded password or signature be replayed).</summary>
    private const int MinServerNonceLength = 32;

    private readonly UaClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly UaEndpointDescription _endpoint;
    private readonly IReadOnlyList<UaEndpointDescription> _discovered;
    private readonly IUaSecurityPolicy _policy;
    private byte[]? _serverNonce;
    private UaSecureChannel _channel;

    private UaSession(UaClientOptions options, TimeProvider time, ILogger logger, UaSecureChannel channel, UaEndpointDescription endpoint, IReadOnlyList<UaEndpointDescription> discovered, IUaSecurityPolicy policy)
    {
        _discovered = discovered;
        _policy = policy;
        _options = options;
        _time = time;
        _logger = logger;
        _channel = channel;
        _endpoint = endpoint;
    }

    public UaNodeId SessionId { get; private set; }

    public UaNodeId AuthenticationToken { get; private set; }

    public TimeSpan RevisedSessionTimeout { get; private set; }

    public UaOperationLimits OperationLimits { get; private set; } = UaOperationLimits.None;

    /// <summary>
    /// The server's NamespaceArray (i=2255) as read when this session was created: index → URI. Indexes are only
    /// valid for the server process that numbered them; <see cref="UaNodeReference"/> resolves URIs against it.
    /// </summary>
    public IReadOnlyList<string> NamespaceUris { get; private set; } = [];

    public UaEndpointDescription Endpoint => _endpoint;

    public UaSecureChannel Channel => _channel;

    /// <summary>GetEndpoints on a sessionless None channel (OPC 10000-4 §5.4.4).</summary>
    public static async Task<UaEndpointDescription[]> GetEndpointsAsync(UaEndpointUrl url, UaSecureChannelOptions channelOptions, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        UaSecureChannel channel = await UaSecureChannel.OpenAsync(url, UaSecurityPolicyNone.Instance, channelOptions, time, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            GetEndpointsResponse response = await channel.SendRequestAsync<GetEndpointsResponse>(new GetEndpointsRequest(url.Url), UaNodeId.Null, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return response.Endpoints;
        }
        finally
        {
            await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens a channel, picks the endpoint with the wanted policy and mode, creates and activates a session
    /// (OPC 10000-4 §6.7 / notes §4.1): GetEndpoints on a None channel; for a secured endpoint that channel is
    /// closed and a new one opened with the policy from <see cref="UaClientOptions.SecurityPolicyFactory"/>.
    /// </summary>
    public static async Task<UaSession> CreateAsync(UaClientOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        bool none = options.EndpointSelector is null && options.SecurityPolicyUri == UaSecurityPolicyNone.Uri && options.SecurityMode == UaMessageSecurityMode.None;
        if (!none && options.SecurityPolicyFactory is null)
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadSecurityPolicyRejected), $"security policy '{options.SecurityPolicyUri}' mode {options.SecurityMode} is not supported yet (only None/None)");
        }

        UaSecureChannel channel = await UaSecureChannel.OpenAsync(options.Endpoint, UaSecurityPolicyNone.Instance, options.Channel, time, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            GetEndpointsResponse endpoints = await channel.SendRequestAsync<GetEndpointsResponse>(new GetEndpointsRequest(options.Endpoint.Url), UaNodeId.Null, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            UaEndpointDescription endpoint = options.EndpointSelector is { } select ? select(endpoints.Endpoints) : SelectEndpoint(endpoints.Endpoints, options);
            IUaSecurityPolicy policy = UaSecurityPolicyNone.Instance;
            if (endpoint.SecurityMode != UaMessageSecurityMode.None)
            {
                policy = options.SecurityPolicyFactory!(endpoint);
                await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
                channel = await UaSecureChannel.OpenAsync(options.Endpoint, policy, options.Channel, time, logger, cancellationToken).ConfigureAwait(false);
            }

            var session = new UaSession(options, time, logger, channel, endpoint, endpoints.Endpoints, policy);
            await session.CreateAndActivateAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Re-activates this session on a freshly opened channel (§5.6.3: same identity). The old channel is disposed.</summary>
    public async Task ReactivateAsync(UaSecureChannel channel, CancellationToken cancellationToken)
    {
        UaSecureChannel old = _channel;
        _channel = channel;
        await old.DisposeAsync().ConfigureAwait(false);
        await ActivateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a new channel to the same endpoint with the same policy.</summary>
    public Task<UaSecureChannel> OpenChannelAsync(CancellationToken cancellationToken) =>
        UaSecureChannel.OpenAsync(_options.Endpoint, _policy, _options.Channel, _time, _logger, cancellationToken);

    public Task<TResponse> CallAsync<TResponse>(IUaRequest request, CancellationToken cancellationToken)
        where TResponse : IUaResponse<TResponse> =>
        CallAsync<TResponse>(request, _options.RequestTimeout, cancellationToken);

    public Task<TResponse> CallAsync<TResponse>(IUaRequest request, TimeSpan timeout, CancellationToken cancellationToken)
        where TResponse : IUaResponse<TResponse> =>
        _channel.SendRequestAsync<TResponse>(request, AuthenticationToken, timeout, cancellationToken);

    /// <summary>Reads attributes; split into requests of at most the server's MaxNodesPerRead. Results are in input order.</summary>
    public Task<UaDataValue[]> ReadAsync(IReadOnlyList<UaReadValueId> nodes, CancellationToken cancellationToken) =>
        ReadAsync(nodes, UaTimestampsToReturn.Both, cancellationToken);

    public async Task<UaDataValue[]> ReadAsync(IReadOnlyList<UaReadValueId> nodes, UaTimestampsToReturn timestamps, CancellationToken cancellationToken)
    {
        UaReadValueId[] all = [.. nodes];
        var results = new UaDataValue[all.Length];
        int batch = UaOperationLimits.Batch(OperationLimits.MaxNodesPerRead);
        if (all.Length <= batch)
        {
            await ReadBatchAsync(all, 0, all.Length, results, timestamps, cancellationToken).ConfigureAwait(false);
            return results;
        }

        // The parts are independent requests: send them together (pipelined on the channel), at most a few at once.
        var parts = new List<Task>();
        using var gate = new SemaphoreSlim(MaxParallelParts);
        for (int offset = 0; offset < all.Length; offset += batch)
        {
            int start = offset;
            int count = Math.Min(batch, all.Length - offset);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            parts.Add(ReleaseAfter(ReadBatchAsync(all, start, count, results, timestamps, cancellationToken), gate));
        }

        await Task.WhenAll(parts).ConfigureAwait(false);
        return results;

        static async Task ReleaseAfter(Task part, SemaphoreSlim gate)
        {
            try
            {
                await part.ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private async Task ReadBatchAsync(UaReadValueId[] all, int offset, int count, UaDataValue[] results, UaTimestampsToReturn timestamps, CancellationToken cancellationToken)
    {
        ReadResponse response = await CallAsync<ReadResponse>(new ReadRequest(0, timestamps, new ArraySegment<UaReadValueId>(all, offset, count)), cancellationToken).ConfigureAwait(false);
        if (response.Results.Length != count)
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadUnknownResponse), $"Read of {count} nodes returned {response.Results.Length} results");
        }

        response.Results.CopyTo(results, offset);
    }

    public async Task<UaStatusCode[]> WriteAsync(IReadOnlyList<UaWriteValue> values, CancellationToken cancellationToken)
    {
        var results = new List<UaStatusCode>(values.Count);
        int batch = UaOperationLimits.Batch(OperationLimits.MaxNodesPerWrite);
        for (int offset = 0; offset < values.Count; offset += batch)
        {
            UaWriteValue[] part = values.Skip(offset).Take(batch).ToArray();
            WriteResponse response = await CallAsync<WriteResponse>(new WriteRequest(part), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return [.. results];
    }

    /// <summary>All forward hierarchical references of a node, following continuation points with BrowseNext.</summary>
    public Task<UaReferenceDescription[]> BrowseAsync(UaNodeId node, CancellationToken cancellationToken) =>
        BrowseAsync(node, 0, cancellationToken);

    /// <summary>As <see cref="BrowseAsync(UaNodeId, CancellationToken)"/>, asking for at most <paramref name="maxReferencesPerNode"/> per response (0 = server's choice).</summary>
    public async Task<UaReferenceDescription[]> BrowseAsync(UaNodeId node, uint maxReferencesPerNode, CancellationToken cancellationToken)
    {
        BrowseResponse response = await CallAsync<BrowseResponse>(new BrowseRequest([node], maxReferencesPerNode), cancellationToken).ConfigureAwait(false);
        UaBrowseResult result = response.Results.Length == 1 ? response.Results[0] : throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadUnknownResponse), "Browse returned no result");
        return await FollowContinuationAsync(node, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The forward hierarchical references of each of <paramref name="nodes"/>, in input order: many nodes a request (at
    /// most the server's MaxNodesPerBrowse), so that walking a folder of a thousand variables is a few round trips, not
    /// a thousand. Continuation points are followed per node with BrowseNext.
    /// </summary>
    public async Task<UaReferenceDescription[][]> BrowseAsync(IReadOnlyList<UaNodeId> nodes, CancellationToken cancellationToken)
    {
        var results = new UaReferenceDescription[nodes.Count][];
        int batch = UaOperationLimits.Batch(OperationLimits.MaxNodesPerBrowse);
        for (int offset = 0; offset < nodes.Count; offset += batch)
        {
            UaNodeId[] part = nodes.Skip(offset).Take(batch).ToArray();
            BrowseResponse response = await CallAsync<BrowseResponse>(new BrowseRequest(part, 0), cancellationToken).ConfigureAwait(false);
            if (response.Results.Length != part.Length)
            {
                throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadUnknownResponse), $"Browse of {part.Length} nodes returned {response.Results.Length} results");
            }

            for (int i = 0; i < part.Length; i++)
            {
                results[offset + i] = await FollowContinuationAsync(part[i], response.Results[i], cancellationToken).ConfigureAwait(false);
            }
        }

        return results;
    }

    private async Task<UaReferenceDescription[]> FollowContinuationAsync(UaNodeId node, UaBrowseResult result, CancellationToken cancellationToken)
    {
        var references = new List<UaReferenceDescription>();
        while (true)
        {
            if (result.StatusCode.IsBad)
            {
                throw new UaServiceException(result.StatusCode, $"browsing {node} failed");
            }

            references.AddRange(result.References);
            if (result.ContinuationPoint is not { Length: > 0 } continuation)
            {
                return [.. references];
            }

            BrowseNextResponse next = await CallAsync<BrowseNextResponse>(new BrowseNextRequest(false, [continuation]), cancellationToken).ConfigureAwait(false);
            result = next.Results.Length == 1 ? next.Results[0] : throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadUnknownResponse), "BrowseNext returned no result");
        }
    }

    public async Task<UaBrowsePathResult[]> TranslateBrowsePathsAsync(IReadOnlyList<UaBrowsePath> paths, CancellationToken cancellationToken)
    {
        var results = new List<UaBrowsePathResult>(paths.Count);
        int batch = UaOperationLimits.Batch(OperationLimits.MaxNodesPerTranslateBrowsePaths);
        for (int offset = 0; offset < paths.Count; offset += batch)
        {
            UaBrowsePath[] part = paths.Skip(offset).Take(batch).ToArray();
            TranslateBrowsePathsResponse response = await CallAsync<TranslateBrowsePathsResponse>(new TranslateBrowsePathsRequest(part), cancellationToken).ConfigureAwait(false);
            results.AddRange(response.Results);
        }

        return [.. results];
    }

    /// <summary>Calls one method (OPC 10000-4 §5.11.2); a bad call status throws <see cref="UaServiceException"/> with it.</summary>
    public async Task<UaVariant[]> CallMethodAsync(UaNodeId objectId, UaNodeId methodId, IReadOnlyList<UaVariant> inputArguments, CancellationToken cancellationToken)
    {
        CallResponse response = await CallAsync<CallResponse>(new CallRequest([new UaCallMethodRequest(objectId, methodId, inputArguments)]), cancellationToken).ConfigureAwait(false);
        UaCallMethodResult result = response.Results.Length == 1 ? response.Results[0] : throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadUnknownResponse), "Call returned no result");
        if (result.StatusCode.IsBad)
        {
            throw new UaServiceException(result.StatusCode, $"method {methodId} on {objectId} failed");
        }

        return result.OutputArguments;
    }

    /// <summary>
    /// Acknowledges a condition (AcknowledgeableConditionType.Acknowledge, i=9111, OPC 10000-9 §5.7.3) with the
    /// EventId of its latest event; Bad_EventIdUnknown when that event is stale.
    /// </summary>
    public Task AcknowledgeAsync(UaNodeId conditionId, byte[] eventId, string comment, CancellationToken cancellationToken) =>
        CallMethodAsync(conditionId, UaTypeIds.AcknowledgeMethod, [new UaVariant(UaBuiltInType.ByteString, eventId), new UaVariant(UaBuiltInType.LocalizedText, new UaLocalizedText(null, comment))], cancellationToken);

    /// <summary>CloseSession (deleting subscriptions) then CloseSecureChannel; errors are logged, not thrown.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync<CloseSessionResponse>(new CloseSessionRequest(true), TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
        catch (UaException ex)
        {
            Log.CloseFailed(_logger, ex.Message);
        }

        await _channel.CloseAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    private static UaEndpointDescription SelectEndpoint(UaEndpointDescription[] endpoints, UaClientOptions options)
    {
        foreach (UaEndpointDescription endpoint in endpoints)
        {
            if (endpoint.SecurityMode == options.SecurityMode && endpoint.SecurityPolicyUri == options.SecurityPolicyUri)
            {
                return endpoint;
            }
        }

        string offered = string.Join(", ", endpoints.Select(e => $"{e.SecurityPolicyUri?.Split('#')[^1]}/{e.SecurityMode}").Distinct());
        throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadSecurityPolicyRejected), $"the server offers no endpoint with policy {options.SecurityPolicyUri.Split('#')[^1]} and mode {options.SecurityMode}; it offers: {offered}");
    }

    private async Task CreateAndActivateAsync(CancellationToken cancellationToken)
    {
        var request = new CreateSessionRequest(
            new UaApplicationDescription(_options.ApplicationUri, "urn:smartcity-edge", new UaLocalizedText(null, _options.ApplicationName), 1, null),
            _options.Endpoint.Url,
            _options.SessionName,
            RandomNumberGenerator.GetBytes(32),
            _channel.Policy.SenderCertificate,
            _options.SessionTimeout.TotalMilliseconds,
            _options.Channel.Limits.MaxMessageSize);
        CreateSessionResponse response = await _channel.SendRequestAsync<CreateSessionResponse>(request, UaNodeId.Null, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        _channel.Policy.VerifyServerSignature(response.ServerSignature, _channel.Policy.SenderCertificate, request.ClientNonce);
        if (_channel.Policy.SecurityMode != UaMessageSecurityMode.None)
        {
            CheckServerIdentity(response);
        }

        SessionId = response.SessionId;
        AuthenticationToken = response.AuthenticationToken;
        RevisedSessionTimeout = TimeSpan.FromMilliseconds(response.RevisedSessionTimeout);
        _serverNonce = response.ServerNonce;
        await ActivateAsync(cancellationToken).ConfigureAwait(false);
        Log.SessionCreated(_logger, SessionId.ToString(), (long)RevisedSessionTimeout.TotalMilliseconds);
        OperationLimits = await ReadOperationLimitsAsync(cancellationToken).ConfigureAwait(false);
        NamespaceUris = await ReadNamespaceArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<string>> ReadNamespaceArrayAsync(CancellationToken cancellationToken)
    {
        UaDataValue[] values = await ReadAsync([new(UaTypeIds.ServerNamespaceArray)], cancellationToken).ConfigureAwait(false);
        return values.Length == 1 && values[0].StatusCode.IsGood && values[0].Value.Value is string[] uris
            ? [.. uris.Select(u => u ?? string.Empty)]
            : [];
    }

    /// <summary>
    /// OPC 10000-4 §5.6.2.2: the CreateSession serverCertificate must be the one of the endpoint we chose, and the
    /// serverEndpoints — signed, on the secured channel — must be exactly the endpoints GetEndpoints returned unsecured
    /// (<see cref="UaDiscoveryCheck"/>); otherwise GetEndpoints was tampered with, e.g. to strip the SignAndEncrypt
    /// endpoints or the encrypted user token policies. Runs before ActivateSession: a refused session never saw a password.
    /// </summary>
    private void CheckServerIdentity(CreateSessionResponse response)
    {
        byte[] expected = UaCertificateInfo.LeafOf(_endpoint.ServerCertificate ?? []);
        if (!UaCertificateInfo.LeafOf(response.ServerCertificate ?? []).AsSpan().SequenceEqual(expected))
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadCertificateInvalid), "the server's CreateSession certificate differs from its endpoint's certificate");
        }

        bool certificatesMatch = response.ServerEndpoints.All(e => e.ServerCertificate is not { Length: > 0 } listed || UaCertificateInfo.LeafOf(listed).AsSpan().SequenceEqual(expected));
        string? difference = UaDiscoveryCheck.Compare(_discovered, response.ServerEndpoints);
        if (difference is not null || !certificatesMatch)
        {
            throw new UaServiceException(
                new UaStatusCode(UaStatusCodes.BadSecurityChecksFailed),
                "session refused as a possible downgrade attack: the endpoints the server confirmed in CreateSession (signed) differ from what GetEndpoints (unsigned) returned" +
                (difference is null ? " (another certificate)" : $" ({difference})") + "; the session was not activated, no credentials were sent. Check the network path to the server.");
        }
    }

    private async Task ActivateAsync(CancellationToken cancellationToken)
    {
        UaMessageSecurityMode mode = _channel.Policy.SecurityMode;
        if (mode != UaMessageSecurityMode.None || _options.UserName is not null || _options.UserCertificate is not null)
        {
            // The nonce makes the client signature and the encrypted password single-use; a short one makes them replayable.
            CheckServerNonce(_serverNonce);
        }

        UaExtensionObject identity = UaUserIdentity.Create(_endpoint, _options, mode, _serverNonce, out UaSignatureData userTokenSignature);
        UaSignatureData clientSignature = _channel.Policy.CreateClientSignature(_endpoint.ServerCertificate, _serverNonce) ?? UaSignatureData.Empty;
        ActivateSessionResponse response = await CallAsync<ActivateSessionResponse>(new ActivateSessionRequest(clientSignature, identity, userTokenSignature), cancellationToken).ConfigureAwait(false);
        _serverNonce = response.ServerNonce;
    }

    private static void CheckServerNonce(byte[]? nonce)
    {
        if (nonce is null || nonce.Length < MinServerNonceLength)
        {
            throw new UaServiceException(
                new UaStatusCode(UaStatusCodes.BadNonceInvalid),
                $"the server's session nonce has {nonce?.Length ?? 0} bytes, at least {MinServerNonceLength} are required (OPC 10000-4 §5.6.2); refused, nothing was signed or sent with it");
        }
    }

    private async Task<UaOperationLimits> ReadOperationLimitsAsync(CancellationToken cancellationToken)
    {
        UaDataValue[] values = await ReadAsync(
            [new(UaTypeIds.MaxNodesPerRead), new(UaTypeIds.MaxNodesPerWrite), new(UaTypeIds.MaxNodesPerBrowse), new(UaTypeIds.MaxNodesPerTranslateBrowsePaths)],
            cancellationToken).ConfigureAwait(false);
        static uint Limit(UaDataValue value) => value.StatusCode.IsGood && value.Value.Value is uint limit ? limit : 0;
        return new UaOperationLimits(Limit(values[0]), Limit(values[1]), Limit(values[2]), Limit(values[3]));
    }
}
