using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Hosting;

/// <summary>The configuration the gateway runs on now: the one it started with, or the last one a reload applied.</summary>
internal sealed class ActiveConfiguration
{
    private volatile GatewayConfiguration _current;

    public ActiveConfiguration(GatewayConfiguration initial) => _current = initial;

    public GatewayConfiguration Current
    {
        get => _current;
        set => _current = value;
    }
}
