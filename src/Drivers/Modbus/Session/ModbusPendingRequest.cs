using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// A request on a TCP channel waiting for the reply with its transaction id. Pooled per channel and awaited as a
/// <see cref="ValueTask{TResult}"/>, with its own re-armed timer for the timeout, so a request allocates nothing.
/// Exactly one of reply, timeout, cancellation and link failure completes it: each first claims it with a CAS.
/// Continuations run inline on the completing thread (the reader thread for replies): the caller's next request goes
/// out without a thread hop, as a blocking C client would send it. Nothing in the stack blocks synchronously on a reply.
/// </summary>
internal sealed class ModbusPendingRequest : IValueTaskSource<int>
{
    private readonly ModbusTcpChannel _owner;
    private readonly ITimer _timer;
    private ManualResetValueTaskSourceCore<int> _core;
    private CancellationTokenRegistration _cancellation;
    private readonly TimeProvider _time;
    private TimeSpan _timeout;
    private long _armedAt;
    private int _claimed;

    public ModbusPendingRequest(ModbusTcpChannel owner, TimeProvider time)
    {
        _owner = owner;
        _time = time;
        _timer = time.CreateTimer(static state => ((ModbusPendingRequest)state!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public ushort TransactionId { get; private set; }

    public byte UnitId { get; private set; }

    public Memory<byte> Response { get; private set; }

    /// <summary>The link the request went out on.</summary>
    public Socket? Socket { get; private set; }

    /// <summary>The channel's count of received frames when the request went out: unchanged at its timeout = a silent link.</summary>
    public long FramesReceivedBefore { get; private set; }

    /// <summary>Prepares a pooled instance for a new request; <see cref="Arm"/> starts its clock.</summary>
    public void Prepare(ushort transactionId, byte unitId, Memory<byte> response, TimeSpan timeout, Socket socket, long framesReceived)
    {
        _core.Reset();
        _claimed = 0;
        TransactionId = transactionId;
        UnitId = unitId;
        Response = response;
        _timeout = timeout;
        Socket = socket;
        FramesReceivedBefore = framesReceived;
    }

    /// <summary>
    /// Arms the timeout and the cancellation. Called before the request is sent: a reply can then never complete the
    /// request before its timer is armed (which would leave a live timer on a pooled instance).
    /// </summary>
    public void Arm(CancellationToken cancellationToken)
    {
        _armedAt = _time.GetTimestamp();
        _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((ModbusPendingRequest)state!).OnCanceled(token), this);
        }
    }

    public ValueTask<int> AsValueTask() => new(this, _core.Version);

    /// <summary>The reader claims the request before copying the reply into <see cref="Response"/>; false when a timeout won.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;

    /// <summary>Completes a claimed request.</summary>
    public void Complete(int length)
    {
        Disarm();
        _core.SetResult(length);
    }

    /// <summary>Fails a claimed request (a reply that does not fit it).</summary>
    public void CompleteWithError(Exception error)
    {
        Disarm();
        _core.SetException(error);
    }

    /// <summary>Fails the request unless something else completed it first.</summary>
    public void Fail(Exception error)
    {
        if (TryClaim())
        {
            Disarm();
            _core.SetException(error);
        }
    }

    public int GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Socket = null;
            _owner.ReturnToPool(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void OnTimeout()
    {
        // Early: a timer may fire a little before its due time, and a callback already queued when the previous use
        // completed may run after the instance was reused. Either way, wait out the rest of this request's time.
        TimeSpan elapsed = _time.GetElapsedTime(_armedAt);
        if (elapsed < _timeout)
        {
            _timer.Change(_timeout - elapsed, Timeout.InfiniteTimeSpan);
            return;
        }

        ModbusTransportException timeout = ModbusSocketErrors.Timeout(_owner.Endpoint, UnitId, _timeout);
        _owner.OnTimedOut(this);
        Fail(timeout);
    }

    private void OnCanceled(CancellationToken token)
    {
        _owner.Forget(this);
        Fail(new OperationCanceledException(token));
    }

    private void Disarm()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _cancellation.Unregister();
        _cancellation = default;
    }
}
