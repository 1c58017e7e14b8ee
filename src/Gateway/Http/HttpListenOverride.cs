using System.Net;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>
/// Where the HTTP endpoint listens when the command line says otherwise than <c>http.listen</c>: <c>run --http-listen
/// ADDR:PORT</c>, and for the built-in demo a free port when its 8080 is taken (two gateways on one machine). Kept
/// apart from the configuration, so that a reload of the file never reports <c>http</c> as changed.
/// </summary>
/// <param name="Listen">The address and port to use instead of <c>http.listen</c>, or null to keep it.</param>
/// <param name="FreePortIfTaken">When the port is in use, listen on a port the system chooses and log the URL.</param>
internal sealed record HttpListenOverride(IPEndPoint? Listen, bool FreePortIfTaken);
