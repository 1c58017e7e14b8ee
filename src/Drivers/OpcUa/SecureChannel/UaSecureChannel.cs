using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// The secure conversation layer (OPC 10000-6 §6.7): OpenSecureChannel, token renewal before expiry, chunking of
/// requests, reassembly of responses by RequestId (responses arrive out of order, Publish especially), sequence
/// number checks and CloseSecureChannel. All security specifics are delegated to an <see cref="IUaSecurityPolicy"/>.
/// </summary>
/// <remarks>
/// One receive loop owns the transport's read side; sends are serialised by <see cref="_sendLock"/> because a
/// message's chunks must leave back to back with consecutive sequence numbers. A connection-fatal error faults the
/// channel: every pending request fails with it and <see cref="Closed"/> fires.
/// </remarks>
public sealed class UaSecureChannel : IAsyncDisposable
{
    private const int SymmetricHeaderSize = 16; // header 8 + SecureChannelId 4 + TokenId 4
    private const int SequenceHeaderSize = 8;   // SequenceNumber 4 + RequestId 4
    private const uint SequenceWrapLimit = 4294966271; // §6.7.2.4: wrap to < 1024 after this (legacy rule)

    private readonly UaTcpTransport _transport;
    private readonly IUaSecurityPolicy _policy;
    private readonly UaSecureChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, PendingResponse> _pending = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly UaBinaryWriter _bodyWriter;
    private readonly object _stateLock = new();
    private byte[] _chunkBuffer;
    private UaSecureChannelState _state = UaSecureChannelState.Opening;
    private UaSecurityToken? _token;
    private UaSecurityToken? _previousToken;
    private uint _nextRequestId;
    private uint _sendSequence;
    private uint _receiveSequence;
    private bool _receivedAny;
    private Task _receiveLoop = Task.CompletedTask;
    private ITimer? _renewTimer;
    private Exception? _fault;
    private byte[] _openClientNonce = [];
    private bool _openRenew;
    private int _disposed;

    private UaSecureChannel(UaTcpTransport transport, IUaSecurityPolicy policy, UaSecureChannelOptions options, TimeProvider time, ILogger logger)
    {
        _transport = transport;
        _policy = policy;
        _options = options;
        _time = time;
        _logger = logger;
        _chunkBuffer = ArrayPool<byte>.Shared.Rent((int)transport.Negotiated.SendBufferSize);
        _bodyWriter = new UaBinaryWriter(8192, transport.Negotiated.MaxMessageSize is 0 or > int.MaxValue ? int.MaxValue : (int)transport.Negotiated.MaxMessageSize);
        _nextRequestId = (uint)RandomNumberGenerator.GetInt32(1, 1000);
        _sendSequence = (uint)RandomNumberGenerator.GetInt32(1, 1000);
    }

    public UaSecureChannelState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    public uint ChannelId => _token?.ChannelId ?? 0;

    public uint TokenId => _token?.TokenId ?? 0;

    public IUaSecurityPolicy Policy => _policy;

    public UaTransportLimits Limits => _transport.Negotiated;

    /// <summary>Fires once the channel can no longer carry requests (faulted or closed).</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Why the channel faulted, when it did.</summary>
    public Exception? Fault => _fault;

    /// <summary>Connects, says Hello and opens a secure channel (OPN Issue, SecureChannelId 0).</summary>
    public static async Task<UaSecureChannel> OpenAsync(UaEndpointUrl endpoint, IUaSecurityPolicy policy, UaSecureChannelOptions options, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        UaTcpTransport transport = await UaTcpTransport.ConnectAsync(endpoint, options.Limits, cancellationToken).ConfigureAwait(false);
        var channel = new UaSecureChannel(transport, policy, options, time, logger);
        try
        {
            channel._receiveLoop = Task.Run(channel.ReceiveLoopAsync, CancellationToken.None);
            await channel.OpenSecureChannelAsync(renew: false, cancellationToken).ConfigureAwait(false);
            channel.TransitionTo(UaSecureChannelState.Open);
            Log.ChannelOpened(logger, endpoint.Url, channel.ChannelId, channel.TokenId, channel._token!.RevisedLifetime);
            return channel;
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends a request and awaits its response, decoded as <typeparamref name="TResponse"/>. A ServiceFault or bad
    /// ServiceResult throws <see cref="UaServiceException"/>; a broken connection <see cref="UaTransportException"/>.
    /// </summary>
    public async Task<TResponse> SendRequestAsync<TResponse>(IUaRequest request, UaNodeId authenticationToken, TimeSpan timeout, CancellationToken cancellationToken)
        where TResponse : IUaResponse<TResponse>
    {
        UaResponseBody body = await SendAndReceiveAsync(UaMessageType.Message, request, authenticationToken, timeout, cancellationToken).ConfigureAwait(false);
        try
        {
            return DecodeResponse<TResponse>(body.Span);
        }
        finally
        {
            body.Return();
        }
    }

    /// <summary>Sends CloseSecureChannel (no response, §5.5.3) and closes the socket.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        if (!TryTransition(UaSecureChannelState.Open, UaSecureChannelState.Closing))
        {
            return;
        }

        try
        {
            uint requestId = NextRequestId();
            await SendMessageAsync(UaMessageType.CloseSecureChannel, requestId, new CloseSecureChannelRequest(), UaNodeId.Null, 0, cancellationToken).ConfigureAwait(false);
        }
        catch (UaException ex)
        {
            Log.CloseFailed(_logger, ex.Message);
        }
        catch (OperationCanceledException)
        {
            // Closing on shutdown: the socket goes anyway.
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_stateLock)
        {

            if (_state is not UaSecureChannelState.Faulted)
            {
                _state = UaSecureChannelState.Closed;
            }
        }

        _renewTimer?.Dispose();
        await _transport.DisposeAsync().ConfigureAwait(false);
        FailAll(new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecureChannelClosed), "the secure channel was closed"));
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is UaException or OperationCanceledException)
        {
            // Already recorded as the fault.
        }

        _closed.Cancel();
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _bodyWriter.Dispose();
            byte[] buffer = Interlocked.Exchange(ref _chunkBuffer, []);
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal TResponse DecodeResponse<TResponse>(ReadOnlySpan<byte> body)
        where TResponse : IUaResponse<TResponse>
    {
        var reader = new UaBinaryReader(body, _options.EncodingLimits);
        UaNodeId typeId = reader.ReadNodeId();
        UaResponseHeader header = UaResponseHeader.Decode(ref reader);
        if (typeId == UaTypeIds.ServiceFault)
        {
            throw new UaServiceException(header.ServiceResult.IsBad ? header.ServiceResult : new UaStatusCode(UaStatusCodes.BadUnexpectedError), "the server answered with a ServiceFault");
        }

        if (typeId != TResponse.TypeId)
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadUnknownResponse), $"expected response type i={TResponse.TypeId}, got {typeId}");
        }

        if (header.ServiceResult.IsBad)
        {
            throw new UaServiceException(header.ServiceResult, $"service i={TResponse.TypeId} failed");
        }

        return TResponse.Decode(ref reader, header);
    }

    private async Task OpenSecureChannelAsync(bool renew, CancellationToken cancellationToken)
    {
        // Trust and validity again before every OPN: a certificate removed from the trust list or expired since the
        // last one ends the channel here (renewal) or refuses it (a reconnect, also for a surviving session).
        _policy.CheckServerCertificate();
        byte[] clientNonce = _policy.NonceLength > 0 ? RandomNumberGenerator.GetBytes(_policy.NonceLength) : [];
        var request = new OpenSecureChannelRequest(renew ? 1 : 0, _policy.SecurityMode, _policy.NonceLength > 0 ? clientNonce : null, (uint)_options.RequestedLifetime.TotalMilliseconds);
        _openClientNonce = clientNonce;
        _openRenew = renew;

        // The receive loop installs the new token as soon as the response arrives (TryInstallToken), before the
        // server can send anything with it.
        UaResponseBody body = await SendAndReceiveAsync(UaMessageType.OpenSecureChannel, request, UaNodeId.Null, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        body.Return();
        ScheduleRenewal(_token!);
    }

    private bool TryInstallToken(ReadOnlySpan<byte> message, PendingResponse pending)
    {
        try
        {
            OpenSecureChannelResponse response = DecodeResponse<OpenSecureChannelResponse>(message);
            if (_openRenew && response.ChannelId != ChannelId)
            {
                throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecureChannelIdInvalid), $"renewal answered for channel {response.ChannelId}, ours is {ChannelId}");
            }

            object? keys = _policy.DeriveKeys(_openClientNonce, response.ServerNonce ?? []);

            // §5.5.2: send with the new token from now on; keep the old one for what the server still sends with it.
            _previousToken = _token;
            _token = new UaSecurityToken(response.ChannelId, response.TokenId, response.CreatedAt, response.RevisedLifetime, keys, _time.GetUtcNow());
            return true;
        }
        catch (UaException ex)
        {
            pending.Fail(ex);
            return false;
        }
    }

    private void ScheduleRenewal(UaSecurityToken token)
    {
        // Renew at 75 % of the revised lifetime on our own clock (node-opcua#1349: the server's CreatedAt may be skewed).
        TimeSpan due = TimeSpan.FromMilliseconds(Math.Max(1000, token.RevisedLifetime * 0.75));
        _renewTimer?.Dispose();
        _renewTimer = _time.CreateTimer(static state => ((UaSecureChannel)state!).RenewInBackground(), this, due, Timeout.InfiniteTimeSpan);
    }

    private void RenewInBackground() => _ = Task.Run(async () =>
    {
        if (State != UaSecureChannelState.Open)
        {
            return;
        }

        try
        {
            await OpenSecureChannelAsync(renew: true, _closed.Token).ConfigureAwait(false);
            Log.TokenRenewed(_logger, ChannelId, TokenId, _token!.RevisedLifetime);
        }
        catch (Exception ex) when (ex is UaException or OperationCanceledException)
        {
            FaultWith(ex as UaException ?? new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecureChannelClosed), "token renewal cancelled"));
        }
    });

    private async Task<UaResponseBody> SendAndReceiveAsync(UaMessageType type, IUaRequest request, UaNodeId authenticationToken, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_fault is { } fault)
        {
            throw new UaTransportException(fault is UaException ua ? ua.StatusCode : new UaStatusCode(UaStatusCodes.BadSecureChannelClosed), "the secure channel is closed: " + fault.Message, fault);
        }

        uint requestId = NextRequestId();
        var pending = new PendingResponse(_transport.Local);
        _pending[requestId] = pending;
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            uint timeoutHint = (uint)Math.Clamp(timeout.TotalMilliseconds, 0, uint.MaxValue);
            await SendMessageAsync(type, requestId, request, authenticationToken, timeoutHint, linked.Token).ConfigureAwait(false);
            return await pending.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadTimeout), $"no response to request {requestId} (type i={request.TypeId}) within {timeout.TotalSeconds:0.#} s");
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    /*
     * Symmetric chunk (MSG/CLO, OPC 10000-6 §6.7.2.2–6.7.2.4):
     *   [MessageType 3][ChunkType 1][MessageSize 4][SecureChannelId 4][TokenId 4][SequenceNumber 4][RequestId 4][body…]
     * Asymmetric chunk (OPN): the TokenId is replaced by
     *   [SecurityPolicyUri String][SenderCertificate ByteString][ReceiverCertificateThumbprint ByteString]
     * The body of the message is [TypeId NodeId][RequestHeader][fields]; a message larger than one chunk is
     * split in order, each chunk with its own sequence number and the same RequestId.
     */
    private async Task SendMessageAsync(UaMessageType type, uint requestId, IUaRequest request, UaNodeId authenticationToken, uint timeoutHint, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_chunkBuffer.Length == 0)
            {
                throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecureChannelClosed), "the secure channel is closed");
            }

            UaBinaryWriter body = _bodyWriter;
            body.Reset();
            try
            {
                body.WriteNodeId(request.TypeId);
                new UaRequestHeader(authenticationToken, _time.GetUtcNow().UtcDateTime, requestId, timeoutHint).Encode(body);
                request.Encode(body);
            }
            catch (UaEncodingException ex) when (ex.StatusCode.Code == UaStatusCodes.BadEncodingLimitsExceeded)
            {
                throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadRequestTooLarge), $"request i={request.TypeId} exceeds the server's maximum message size of {_transport.Negotiated.MaxMessageSize} bytes");
            }

            bool asymmetric = type == UaMessageType.OpenSecureChannel;
            int headerSize = asymmetric ? WriteAsymmetricHeader(_chunkBuffer) : SymmetricHeaderSize;
            int chunkSize = (int)_transport.Negotiated.SendBufferSize;
            int maxBody = _policy.GetMaxBodySize(chunkSize, headerSize + SequenceHeaderSize, asymmetric);
            int total = body.Length;
            int chunkCount = Math.Max(1, (total + maxBody - 1) / maxBody);
            uint maxChunks = _transport.Negotiated.MaxChunkCount;
            if (maxChunks != 0 && chunkCount > maxChunks)
            {
                throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadRequestTooLarge), $"request i={request.TypeId} needs {chunkCount} chunks, the server accepts {maxChunks}");
            }

            if (asymmetric && chunkCount > 1)
            {
                throw new UaServiceException(new UaStatusCode(UaStatusCodes.BadRequestTooLarge), "OpenSecureChannel must fit in one chunk");
            }

            UaSecurityToken? token = _token;
            for (int offset = 0, index = 0; index < chunkCount; index++)
            {
                int length = Math.Min(maxBody, total - offset);
                bool final = index == chunkCount - 1;
                Span<byte> chunk = _chunkBuffer;
                new UaTcpMessageHeader(type, final ? UaChunkType.Final : UaChunkType.Intermediate, 0).TryWrite(chunk, out _);
                BinaryPrimitives.WriteUInt32LittleEndian(chunk[8..], token?.ChannelId ?? 0);
                if (!asymmetric)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(chunk[12..], token?.TokenId ?? 0);
                }

                BinaryPrimitives.WriteUInt32LittleEndian(chunk[headerSize..], NextSendSequence());
                BinaryPrimitives.WriteUInt32LittleEndian(chunk[(headerSize + 4)..], requestId);
                body.WrittenSpan.Slice(offset, length).CopyTo(chunk[(headerSize + SequenceHeaderSize)..]);
                int plainLength = headerSize + SequenceHeaderSize + length;
                BinaryPrimitives.WriteUInt32LittleEndian(chunk[4..], (uint)plainLength);
                int finalLength = _policy.Protect(chunk, plainLength, headerSize, asymmetric, token?.Keys);
                await _transport.SendAsync(_chunkBuffer.AsMemory(0, finalLength), cancellationToken).ConfigureAwait(false);
                offset += length;
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private int WriteAsymmetricHeader(Span<byte> chunk)
    {
        using var writer = new UaBinaryWriter(512);
        writer.WriteString(_policy.PolicyUri);
        writer.WriteByteString(_policy.SenderCertificate);
        writer.WriteByteString(_policy.ReceiverCertificateThumbprint);
        writer.WrittenSpan.CopyTo(chunk[12..]);
        return 12 + writer.Length;
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                ReadOnlyMemory<byte> chunk = await _transport.ReceiveChunkAsync(CancellationToken.None).ConfigureAwait(false);
                ProcessChunk(MemoryMarshalHelper.AsWritable(chunk));
            }
        }
        catch (UaException ex)
        {
            FaultWith(ex);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            FaultWith(new UaTransportException(new UaStatusCode(UaStatusCodes.BadConnectionClosed), "the connection was closed", ex));
        }
        catch (Exception ex)
        {
            // A bug of ours must still fault the channel (and so reconnect), never leave requests hanging.
            FaultWith(new UaTransportException(new UaStatusCode(UaStatusCodes.BadInternalError), $"receive loop failed: {ex.GetType().Name}: {ex.Message}", ex));
        }
    }

    private void ProcessChunk(Span<byte> chunk)
    {
        UaTcpMessageHeader.TryRead(chunk, out UaTcpMessageHeader header, out _);
        if (header.MessageType is not (UaMessageType.OpenSecureChannel or UaMessageType.Message or UaMessageType.CloseSecureChannel) || chunk.Length < SymmetricHeaderSize)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadTcpMessageTypeInvalid), $"unexpected {header.MessageType} chunk of {chunk.Length} bytes on an open channel");
        }

        uint channelId = BinaryPrimitives.ReadUInt32LittleEndian(chunk[8..]);
        UaSecurityToken? token = _token;
        if (token is not null && channelId != token.ChannelId)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadTcpSecureChannelUnknown), $"chunk for channel {channelId}, ours is {token.ChannelId}");
        }

        bool asymmetric = header.MessageType == UaMessageType.OpenSecureChannel;
        int securedFrom;
        object? keys = null;
        if (asymmetric)
        {
            var reader = new UaBinaryReader(chunk[12..], new UaEncodingLimits(16 * 1024, 0, 1));
            string? policyUri = reader.ReadString();
            ReadOnlySpan<byte> senderCertificate = reader.ReadByteStringSpan();
            ReadOnlySpan<byte> thumbprint = reader.ReadByteStringSpan();
            _policy.CheckAsymmetricHeader(policyUri, senderCertificate, thumbprint);
            securedFrom = 12 + reader.Position;
        }
        else
        {
            uint tokenId = BinaryPrimitives.ReadUInt32LittleEndian(chunk[12..]);
            if (token is not null && tokenId == token.TokenId)
            {
                keys = token.Keys;
            }
            else if (_previousToken is { } previous && tokenId == previous.TokenId)
            {
                keys = previous.Keys;
            }
            else
            {
                throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecureChannelTokenUnknown), $"chunk with unknown token {tokenId}");
            }

            securedFrom = SymmetricHeaderSize;
        }

        int length = _policy.Unprotect(chunk, securedFrom, asymmetric, keys);
        if (length < securedFrom + SequenceHeaderSize)
        {
            throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadDecodingError), $"chunk of {length} bytes is too short for its sequence header");
        }

        uint sequenceNumber = BinaryPrimitives.ReadUInt32LittleEndian(chunk[securedFrom..]);
        uint requestId = BinaryPrimitives.ReadUInt32LittleEndian(chunk[(securedFrom + 4)..]);
        CheckSequence(sequenceNumber);
        ReadOnlySpan<byte> body = chunk[(securedFrom + SequenceHeaderSize)..length];

        if (!_pending.TryGetValue(requestId, out PendingResponse? pending))
        {
            Log.UnmatchedResponse(_logger, requestId, header.MessageType.ToString());
            return;
        }

        switch (header.ChunkType)
        {
            case UaChunkType.Abort:
                UaErrorMessage abort = UaErrorMessage.Read(body);
                pending.Fail(new UaServiceException(abort.Error, $"the server aborted the response: {abort}"));
                _pending.TryRemove(requestId, out _);
                break;
            case UaChunkType.Intermediate:
                if (!pending.Append(body, final: false, out UaServiceException? tooLarge))
                {
                    pending.Fail(tooLarge);
                    _pending.TryRemove(requestId, out _);
                }

                break;
            default:
                if (pending.Append(body, final: true, out tooLarge))
                {
                    UaResponseBody message = pending.TakeBody();
                    if (asymmetric && !TryInstallToken(message.Span, pending))
                    {
                        message.Return();
                        break;
                    }

                    pending.Complete(message);
                }
                else
                {
                    pending.Fail(tooLarge);
                }

                _pending.TryRemove(requestId, out _);
                break;
        }
    }

    private void CheckSequence(uint sequenceNumber)
    {
        if (_receivedAny)
        {
            uint expected = _receiveSequence + 1;
            bool wrapped = _receiveSequence > SequenceWrapLimit && sequenceNumber < 1024;
            if (sequenceNumber != expected && !wrapped)
            {
                throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSequenceNumberInvalid), $"sequence number {sequenceNumber} after {_receiveSequence}");
            }
        }

        _receivedAny = true;
        _receiveSequence = sequenceNumber;
    }

    private uint NextSendSequence()
    {
        Debug.Assert(_sendLock.CurrentCount == 0, "sequence numbers are taken under the send lock");
        _sendSequence = _sendSequence > SequenceWrapLimit ? 1 : _sendSequence + 1;
        return _sendSequence;
    }

    private uint NextRequestId()
    {
        uint id = Interlocked.Increment(ref _nextRequestId);
        return id == 0 ? Interlocked.Increment(ref _nextRequestId) : id;
    }

    private void FaultWith(UaException error)
    {
        bool first;
        lock (_stateLock)
        {
            first = _state is UaSecureChannelState.Opening or UaSecureChannelState.Open;
            if (first)
            {
                _state = UaSecureChannelState.Faulted;
                _fault = error;
            }
        }

        if (first)
        {
            Log.ChannelFaulted(_logger, ChannelId, error.StatusCode.Name, error.Message);
            _renewTimer?.Dispose();
            FailAll(error);
            _closed.Cancel();
        }
    }

    private void FailAll(UaException error)
    {
        foreach (KeyValuePair<uint, PendingResponse> entry in _pending)
        {
            entry.Value.Fail(error);
        }
    }

    private void TransitionTo(UaSecureChannelState next)
    {
        lock (_stateLock)
        {
            switch (_state, next)
            {
                case (UaSecureChannelState.Opening, UaSecureChannelState.Open):
                case (UaSecureChannelState.Open, UaSecureChannelState.Closing):
                    _state = next;
                    break;
                case (UaSecureChannelState.Faulted, _):
                    throw new UaTransportException(new UaStatusCode(UaStatusCodes.BadSecureChannelClosed), "the secure channel faulted: " + _fault?.Message, _fault);
                default:
                    throw new InvalidOperationException($"secure channel cannot go from {_state} to {next}");
            }
        }
    }

    private bool TryTransition(UaSecureChannelState from, UaSecureChannelState to)
    {
        lock (_stateLock)
        {
            if (_state != from)
            {
                return false;
            }

            _state = to;
            return true;
        }
    }

    /// <summary>
    /// One awaited response: reassembles its chunks within the limits we announced in Hello, in an array rented from
    /// the shared pool (grown by doubling, the old one returned) that the caller returns after decoding. Most
    /// responses are a single chunk: those are copied once, into an array of their size.
    /// </summary>
    private sealed class PendingResponse
    {
        private readonly TaskCompletionSource<UaResponseBody> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly UaTransportLimits _limits;
        private byte[]? _buffer;
        private int _length;
        private int _chunks;

        public PendingResponse(UaTransportLimits limits) => _limits = limits;

        public Task<UaResponseBody> Task => _completion.Task;

        public bool Append(ReadOnlySpan<byte> chunkBody, bool final, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out UaServiceException? error)
        {
            _chunks++;
            if (_limits.MaxChunkCount != 0 && _chunks > _limits.MaxChunkCount)
            {
                error = new UaServiceException(new UaStatusCode(UaStatusCodes.BadResponseTooLarge), $"response has more than {_limits.MaxChunkCount} chunks");
                return false;
            }

            long size = (long)_length + chunkBody.Length;
            if (_limits.MaxMessageSize != 0 && size > _limits.MaxMessageSize)
            {
                error = new UaServiceException(new UaStatusCode(UaStatusCodes.BadResponseTooLarge), $"response exceeds {_limits.MaxMessageSize} bytes");
                return false;
            }

            if (_buffer is null || _buffer.Length < size)
            {
                // A final first chunk gets exactly its size; a multi-chunk body room for the next chunk too.
                long wanted = final && _buffer is null ? size : Math.Max(size, Math.Max(_length, chunkBody.Length) * 2L);
                byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(wanted, 1, Array.MaxLength));
                if (_buffer is not null)
                {
                    _buffer.AsSpan(0, _length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                }

                _buffer = larger;
            }

            chunkBody.CopyTo(_buffer.AsSpan(_length));
            _length += chunkBody.Length;
            error = null;
            return true;
        }

        /// <summary>Hands the body (and its pooled array) over; the pending response keeps nothing.</summary>
        public UaResponseBody TakeBody()
        {
            var body = new UaResponseBody(_buffer ?? [], _length);
            _buffer = null;
            _length = 0;
            return body;
        }

        public void Complete(UaResponseBody body)
        {
            if (!_completion.TrySetResult(body))
            {
                body.Return();
            }
        }

        // A partial body is left to the garbage collector: Fail may run on another thread (FailAll on dispose)
        // while the receive loop still appends, and a pooled array must never be returned while in use.
        public void Fail(Exception error) => _completion.TrySetException(error);
    }
}
