using SmartCity.Edge.Drivers.Tests.Snmp.Peers;

namespace SmartCity.Edge.Drivers.Tests.Snmp;

/// <summary>One snmpsimd with the UPS recording per test class.</summary>
public sealed class SnmpsimFixture : IAsyncLifetime
{
    internal SnmpsimAgent Agent { get; private set; } = null!;

    public async Task InitializeAsync() => Agent = await SnmpsimAgent.StartAsync();

    public async Task DisposeAsync() => await Agent.DisposeAsync();
}
