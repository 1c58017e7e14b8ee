using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SmartCity.Edge.Gateway.Http;

/// <summary>
/// The gateway's logger factory for the embedded web host, less the generic host's own category: when Kestrel cannot
/// bind, that host logs "Hosting failed to start" with the exception's stack trace before throwing it to us, and the
/// technician reads a .NET trace before our one line saying which port and what to do. The web host's other
/// categories (Kestrel, ASP.NET Core) pass unchanged.
/// </summary>
internal sealed class HostingNoiseFilter(ILoggerFactory inner) : ILoggerFactory
{
    private const string HostCategory = "Microsoft.Extensions.Hosting";

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(HostCategory, StringComparison.Ordinal) ? NullLogger.Instance : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The gateway's host owns the inner factory and disposes it.
    public void Dispose()
    {
    }
}
