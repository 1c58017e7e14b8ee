using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>Log messages of the HTTP endpoint. Event ids 1400–1449 are stable.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(1400, LogLevel.Information, "Status page, health and metrics on http://{Endpoint}/ (bearer token {TokenState})")]
    public static partial void Listening(ILogger logger, string endpoint, string tokenState);

    [LoggerMessage(1401, LogLevel.Error, "The HTTP endpoint could not listen on {Endpoint}: {Reason}. The gateway keeps running without status page, health and metrics; change http.listen (or start with run --http-listen ADDRESS:PORT), or free the port")]
    public static partial void ListenFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(1402, LogLevel.Warning, "http.allow_unauthenticated: http.listen {Endpoint} is not a loopback address and no http.token is set: anyone on that network can read the status page, values, alarms and metrics")]
    public static partial void ExposedWithoutToken(ILogger logger, string endpoint);

    [LoggerMessage(1403, LogLevel.Information, "HTTP endpoint disabled (http.enabled: false)")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(1405, LogLevel.Warning, "Port {Endpoint} is already in use (another gateway or program); the demo's status page moves to a free port (next line). Choose one with run --http-listen ADDRESS:PORT")]
    public static partial void PortTakenUsingAnother(ILogger logger, string endpoint);

    [LoggerMessage(1404, LogLevel.Warning, "HTTP request for host '{Host}' refused (421): not the address this endpoint listens on ({Endpoint}) nor a name in http.allowed_hosts. A web page trying DNS rebinding, or a name to add to allowed_hosts")]
    public static partial void RefusedHost(ILogger logger, string host, string endpoint);
}
