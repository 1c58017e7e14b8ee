using System.Net;
using System.Threading.Channels;

namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>A real HTTP receiver (<see cref="HttpListener"/>) on 127.0.0.1 that records every POST and answers 200.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<ReceivedPost> _posts = Channel.CreateUnbounded<ReceivedPost>();
    private readonly Task _loop;
    private readonly string? _failPath;
    private int _failuresLeft;

    private WebhookReceiver(int port, int failFirst, string? failPath)
    {
        _failuresLeft = failFirst;
        _failPath = failPath;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public ChannelReader<ReceivedPost> Posts => _posts.Reader;

    /// <summary>Starts listening; the first <paramref name="failFirst"/> requests to <paramref name="failPath"/> are answered 503.</summary>
    public static WebhookReceiver Start(int port, int failFirst = 0, string? failPath = null) => new(port, failFirst, failPath);

    public async ValueTask DisposeAsync()
    {
        // Close alone: on Linux the managed HttpListener unregisters its endpoint in both Stop and Close, and the second
        // unregistration re-creates (re-binds) the endpoint listener it then tears down — a window in which a client's
        // connection made its accept callback throw inside the runtime (seen once in a clean-clone run).
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            int status = context.Request.Url!.AbsolutePath == _failPath && Interlocked.Decrement(ref _failuresLeft) >= 0 ? 503 : 200;
            _posts.Writer.TryWrite(new ReceivedPost(
                context.Request.HttpMethod,
                context.Request.Url!.AbsolutePath,
                context.Request.ContentType,
                context.Request.Headers["X-SmartCity-Signature"],
                body.ToArray(),
                status)
            {
                TestMarker = context.Request.Headers["X-SmartCity-Test"],
            });
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }
}

internal sealed record ReceivedPost(string Method, string Path, string? ContentType, string? Signature, byte[] Body, int Status)
{
    /// <summary>The <c>X-SmartCity-Test</c> header of <c>smartcity-edge test</c>'s test delivery, else null.</summary>
    public string? TestMarker { get; init; }
}
