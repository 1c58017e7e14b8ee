namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary>
/// A loopback TCP forwarder that can stall: while stalled it stops reading either side of every connection
/// (new ones included), as a network outage that keeps sockets open would. Resuming forwards what was held.
/// It can also flip a bit in a secured chunk. Used for faults the real server will not produce by itself.
/// </summary>
internal sealed class StallingTcpProxy : LoopbackTcpForwarder
{
    private volatile TaskCompletionSource _running = Completed();
    private int _corruptNextMessage;

    public StallingTcpProxy(int targetPort)
        : base(targetPort)
    {
    }

    public void Stall() => _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Resume() => _running.TrySetResult();

    /// <summary>Flips one bit inside the next MSG chunk the server sends (after its 16-byte header), as line noise or an attacker would.</summary>
    public void CorruptNextMessageFromServer() => Volatile.Write(ref _corruptNextMessage, 1);

    public override ValueTask DisposeAsync()
    {
        Resume();
        return base.DisposeAsync();
    }

    protected override Task WaitUntilFlowingAsync(CancellationToken cancellationToken) => _running.Task.WaitAsync(cancellationToken);

    protected override Action<byte[], int>? CreateInspector(bool fromServer) => !fromServer ? null : (buffer, read) =>
    {
        if (Volatile.Read(ref _corruptNextMessage) == 1)
        {
            int at = buffer.AsSpan(0, read).IndexOf("MSGF"u8);
            if (at >= 0 && at + 40 < read && Interlocked.Exchange(ref _corruptNextMessage, 0) == 1)
            {
                buffer[at + 32] ^= 0x10;
            }
        }
    };

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
