using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Commands;

/// <summary>A key's <c>allow:</c> entries: a command, optionally narrowed to targets by a glob with <c>*</c>.</summary>
public sealed class CommandPermissionTests
{
    [Theory]
    [InlineData("ack", "ack", "any-alarm", true)]
    [InlineData("ack", "write", "any-alarm", false)]
    [InlineData("ack:fire-*", "ack", "fire-zone1", true)]
    [InlineData("ack:fire-*", "ack", "fire-", true)]
    [InlineData("ack:fire-*", "ack", "gas-fire-1", false)]
    [InlineData("ack:*-high", "ack", "smoke-zone1-high", true)]
    [InlineData("ack:*-high", "ack", "smoke-zone1-higher", false)]
    [InlineData("ack:a*b*c", "ack", "axxbyyc", true)]
    [InlineData("ack:a*b*c", "ack", "axxbyy", false)]
    [InlineData("ack:exact", "ack", "exact", true)]
    [InlineData("ack:exact", "ack", "exactly", false)]
    [InlineData("write:door-contacts/*", "write", "door-contacts/release", true)]
    [InlineData("write:door-contacts/*", "write", "door-contacts2/release", false)]
    [InlineData("write:door-contacts/*", "ack", "door-contacts/release", false)]
    [InlineData("write:*/setpoint", "write", "hvac-1/setpoint", true)]
    [InlineData("write:hvac-1/setpoint", "write", "hvac-1/setpoint2", false)]
    public void Allows_CommandAndTarget_MatchesTheGlob(string entry, string command, string target, bool expected)
    {
        CommandPermission permission = CommandPermission.Parse(entry, out string? error) ?? throw new InvalidOperationException(error);

        Assert.Equal(expected, permission.Allows(command, target));
    }

    [Fact]
    public void Allows_HostileTarget_LinearTime()
    {
        CommandPermission permission = CommandPermission.Parse("ack:*a*a*a*a*a*a*a*a*b", out _)!;

        Assert.False(permission.Allows("ack", new string('a', 100_000)));
    }

    [Theory]
    [InlineData("reboot", "'reboot' is not a command")]
    [InlineData("ack:", "after 'ack:' comes a pattern")]
    [InlineData("ack:bad pattern", "after 'ack:' comes a pattern")]
    [InlineData("reset:door/*", "'reset' is not a command (known: ack, write;")]
    [InlineData("write:door/+", "after 'write:' comes a pattern")]
    public void Parse_BadEntry_Explains(string entry, string expected)
    {
        Assert.Null(CommandPermission.Parse(entry, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
