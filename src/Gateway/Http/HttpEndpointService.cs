using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Monitoring;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>
/// Kestrel (core only: no routing, no MVC, no HTTPS stack) serving <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c>,
/// <c>/api/status</c> and the status page <c>/</c>. It runs as its own small web host inside the gateway's host,
/// so a port already in use is logged and the data path keeps running.
/// </summary>
internal sealed class HttpEndpointService : IHostedService, IAsyncDisposable
{
    private const string PagePlaceholder = "/*INITIAL_STATUS*/";

    private readonly HttpConfiguration _options;
    private readonly MetricsReport _metrics;
    private readonly StatusReport _status;
    private readonly ReadinessCheck _readiness;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<HttpEndpointService> _logger;
    private readonly byte[]? _token;
    private readonly HostHeaderPolicy _hosts;

    /// <summary>Host names already logged as refused: each once, and only the first few (an attacker controls them).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _refusedHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _page;
    private readonly IPEndPoint _listen;
    private readonly bool _freePortIfTaken;
    private WebApplication? _app;

    public HttpEndpointService(GatewayConfiguration configuration, MetricsReport metrics, StatusReport status, ReadinessCheck readiness, ILoggerFactory loggerFactory, HttpListenOverride? listenOverride = null)
    {
        _options = configuration.Http;
        _listen = listenOverride?.Listen ?? _options.Listen;
        _freePortIfTaken = listenOverride?.FreePortIfTaken ?? false;
        _metrics = metrics;
        _status = status;
        _readiness = readiness;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<HttpEndpointService>();
        _token = _options.Token is { } token ? Encoding.UTF8.GetBytes(token) : null;
        _hosts = new HostHeaderPolicy(_listen, _options.AllowedHosts);
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("StatusPage.html")
            ?? throw new InvalidOperationException("The status page is missing from this build.");
        using var reader = new StreamReader(stream);
        _page = reader.ReadToEnd();
    }

    /// <summary>The address actually bound (port 0 resolved), once started.</summary>
    public Uri? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            HttpLog.Disabled(_logger);
            return;
        }

        if (!IPAddress.IsLoopback(_listen.Address) && _token is null)
        {
            // Only with allow_unauthenticated: true; without it the configuration is refused.
            HttpLog.ExposedWithoutToken(_logger, _listen.ToString());
        }

        IPEndPoint listen = _listen;
        while (true)
        {
            WebApplication app = Build(listen);
            try
            {
                // Not cancelled by a stop during start-up (SIGTERM while starting): binding a local port takes
                // milliseconds, and a web host given up half-way logs "Hosting failed to start" with a stack trace.
                // Once started, the gateway's host stops it in order like every other service.
                await app.StartAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                if (_freePortIfTaken && listen.Port != 0 && IsAddressInUse(ex))
                {
                    // The built-in demo beside another gateway: any free port, announced below, beats no status page.
                    HttpLog.PortTakenUsingAnother(_logger, listen.ToString());
                    listen = new IPEndPoint(listen.Address, 0);
                    continue;
                }

                // One line saying which address, why and what to change; the data path keeps running.
                HttpLog.ListenFailed(_logger, listen.ToString(), Describe(ex, listen));
                return;
            }

            _app = app;
            Address = new Uri(app.Urls.First());
            HttpLog.Listening(_logger, Address.Authority, _token is null ? "off" : "required");
            return;
        }
    }

    private WebApplication Build(IPEndPoint listen)
    {
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "smartcity-edge",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddSingleton<ILoggerFactory>(new HostingNoiseFilter(_loggerFactory));
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.MaxRequestBodySize = 0; // every endpoint is GET
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Listen(listen);
        });

        WebApplication app = builder.Build();
        app.Run(HandleAsync);
        return app;
    }

    private static bool IsAddressInUse(Exception ex) =>
        ex.GetBaseException() is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse }
        || ex is IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException };

    /// <summary>Why Kestrel could not listen, for a technician: the socket error in words, not the exception chain.</summary>
    private static string Describe(Exception ex, IPEndPoint listen) => ex.GetBaseException() switch
    {
        _ when IsAddressInUse(ex) => $"port {listen.Port} is already in use by another program (another gateway?)",
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AccessDenied } =>
            $"permission denied: ports below 1024 need root or the CAP_NET_BIND_SERVICE capability",
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressNotAvailable } =>
            $"{listen.Address} is not an address of this machine",
        Exception other => other.Message,
    };

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        if (!_hosts.Allows(request.Host))
        {
            // Before any path, /healthz included: nothing is served to a page that reached us under another name.
            if (_refusedHosts.Count < 16 && _refusedHosts.TryAdd(request.Host.Host, true))
            {
                HttpLog.RefusedHost(_logger, request.Host.Host.Length > 100 ? request.Host.Host[..100] : request.Host.Host, _options.Listen.ToString());
            }

            return Text(response, StatusCodes.Status421MisdirectedRequest, "this gateway does not answer to that host name (DNS rebinding protection); if you reach it by a name, add the name to http.allowed_hosts\n");
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }

        string path = request.Path.Value ?? "/";

        // Liveness stays open without the token: systemd, Docker and load balancers probe it.
        if (path == "/healthz")
        {
            return Text(response, StatusCodes.Status200OK, "ok\n");
        }

        if (!Authorized(request))
        {
            response.Headers.WWWAuthenticate = "Bearer realm=\"smartcity-edge\"";
            return Text(response, StatusCodes.Status401Unauthorized, "a bearer token is required (Authorization: Bearer TOKEN, or ?token= in a browser)\n");
        }

        switch (path)
        {
            case "/readyz":
                // 200 only when everything works; otherwise the worst state first (degraded or not ready), then each problem.
                Readiness readiness = _readiness.Evaluate();
                return readiness.Level == ReadinessLevel.Ready
                    ? Text(response, StatusCodes.Status200OK, "ready\n")
                    : Text(response, StatusCodes.Status503ServiceUnavailable, readiness.Summary + "\n" + string.Concat(readiness.Problems.Select(p => "- " + p.Text + "\n")));
            case "/metrics":
                response.ContentType = PrometheusTextWriter.ContentType;
                return response.WriteAsync(_metrics.Render(), context.RequestAborted);
            case "/api/status":
                response.ContentType = "application/json; charset=utf-8";
                return response.Body.WriteAsync(_status.RenderJson(), context.RequestAborted).AsTask();
            case "/":
            case "/index.html":
                response.ContentType = "text/html; charset=utf-8";
                response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'";
                string page = _page.Replace(PagePlaceholder, Encoding.UTF8.GetString(_status.RenderJson()), StringComparison.Ordinal);
                return response.WriteAsync(page, context.RequestAborted);
            default:
                return Text(response, StatusCodes.Status404NotFound, "not found; try /, /healthz, /readyz, /metrics or /api/status\n");
        }
    }

    private bool Authorized(HttpRequest request)
    {
        if (_token is null)
        {
            return true;
        }

        string? presented = null;
        string? header = request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = header[7..].Trim();
        }
        else if (request.Query.TryGetValue("token", out Microsoft.Extensions.Primitives.StringValues query))
        {
            presented = query.ToString();
        }

        // Constant-time comparison: the token must not leak through response timing.
        return presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);
    }

    private static Task Text(HttpResponse response, int status, string body)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(body);
    }
}
