using SmartCity.Edge.Drivers.Tests.Snmp.Peers;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>One snmpd per test class.</summary>
public sealed class SnmpdFixture : IAsyncLifetime
{
    internal SnmpdAgent Agent { get; private set; } = null!;

    public async Task InitializeAsync() => Agent = await SnmpdAgent.StartAsync();

    public async Task DisposeAsync() => await Agent.DisposeAsync();
}
