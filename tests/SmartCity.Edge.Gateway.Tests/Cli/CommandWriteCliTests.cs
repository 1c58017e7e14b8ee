using System.Buffers.Text;
using System.Text.Json;
using SmartCity.Edge.Gateway.Tests.Commands;
using SmartCity.Edge.Gateway.Tests.Integration;

namespace SmartCity.Edge.Gateway.Tests.Cli;

/// <summary>
/// <c>smartcity-edge command write DEVICE/TAG VALUE</c> on the real binary: the token's claims carry the value with
/// the kind the technician meant (true, a number, text), and a mistyped command line is explained, exit code 2.
/// </summary>
public sealed class CommandWriteCliTests : IDisposable
{
    private readonly TestCommandKeys _keys = new();

    public void Dispose() => _keys.Dispose();

    [Theory]
    [InlineData("true", "true")]
    [InlineData("-7", "-7")]
    [InlineData("21.5", "21.5")]
    [InlineData("\"42\"", "\"42\"")]
    [InlineData("auto", "\"auto\"")]
    public async Task Write_Value_ClaimOfTheKindMeant(string value, string json)
    {
        JsonElement claims = await ClaimsAsync("door-contacts/release_north", value, "--expect", "false");

        Assert.Equal(("write", "door-contacts", "release_north", "alice"), (claims.GetProperty("cmd").GetString(), claims.GetProperty("device").GetString(), claims.GetProperty("tag").GetString(), claims.GetProperty("sub").GetString()));
        Assert.Equal(json, claims.GetProperty("value").GetRawText());
        Assert.False(claims.GetProperty("expect").GetBoolean());
        Assert.Equal(60, claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64());
    }

    [Theory]
    [InlineData("give DEVICE/TAG and VALUE", "write", "plc", "1")]
    [InlineData("give DEVICE/TAG and VALUE", "write", "plc/", "1")]
    [InlineData("give DEVICE/TAG and VALUE", "write", "plc/sp")]
    [InlineData("unknown option --comment", "write", "plc/sp", "1", "--comment", "x")]
    [InlineData("unknown option --occurrence", "write", "plc/sp", "1", "--occurrence", "3")]
    [InlineData("say 'command ack ALARM --occurrence SEQ …' or 'command write DEVICE/TAG VALUE …'", "reset", "plc/sp")]
    public async Task Write_BadCommandLine_ExplainsAndExitsTwo(string expected, params string[] arguments)
    {
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(["command", .. arguments, "--key", _keys.DeskPrivatePem, "--kid", "desk-1", "--by", "alice"]);

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    private async Task<JsonElement> ClaimsAsync(string target, string value, params string[] extra)
    {
        (int exitCode, string stdout, string stderr) = await GatewayProcess.RunToEndAsync(["command", "write", target, value, "--key", _keys.DeskPrivatePem, "--kid", "desk-1", "--by", "alice", .. extra]);
        Assert.True(exitCode == 0, stderr);
        string[] parts = stdout.Trim().Split('.');
        Assert.Equal(3, parts.Length);
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
    }
}
