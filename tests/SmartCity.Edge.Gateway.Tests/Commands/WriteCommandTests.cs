using System.Text.Json;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Commands;

namespace SmartCity.Edge.Gateway.Tests.Commands;

/// <summary>
/// The claims of a write, as they come off a verified token: ids with wildcards, path tricks or line breaks are
/// refused, values of every JSON kind become exactly one tag value or a refusal with its reason (never an exception).
/// </summary>
public sealed class WriteCommandTests
{
    [Theory]
    [InlineData("""{"device":"door-contacts","tag":"release","value":true}""", "door-contacts/release", "true")]
    [InlineData("""{"device":"hvac_1","tag":"sp.zone-2","value":21.5,"expect":20}""", "hvac_1/sp.zone-2", "21.5")]
    [InlineData("""{"device":"plc","tag":"count","value":18446744073709551615}""", "plc/count", "18446744073709551615")]
    [InlineData("""{"device":"plc","tag":"label","value":"Tür 3"}""", "plc/label", "Tür 3")]
    [InlineData("""{"device":"plc","tag":"t","value":-0}""", "plc/t", "0")]
    public void TryRead_ValidClaims_TargetAndValue(string claims, string target, string value)
    {
        Assert.True(WriteCommand.TryRead(Command(claims), out WriteCommand? write, out _, out _, out string? error), error);
        Assert.Equal((target, value), (write!.Target, write.Value.ToString()));
    }

    [Fact]
    public void TryRead_KindsOfValue_KeptApart()
    {
        Assert.Equal(TagValueKind.Boolean, Read("""{"device":"d","tag":"t","value":false}""").Value.Kind);
        Assert.Equal(TagValueKind.Int64, Read("""{"device":"d","tag":"t","value":-5}""").Value.Kind);
        Assert.Equal(TagValueKind.UInt64, Read("""{"device":"d","tag":"t","value":9223372036854775808}""").Value.Kind);
        Assert.Equal(TagValueKind.Double, Read("""{"device":"d","tag":"t","value":1e300}""").Value.Kind);
        Assert.Equal(TagValueKind.String, Read("""{"device":"d","tag":"t","value":"1"}""").Value.Kind);
        Assert.Null(Read("""{"device":"d","tag":"t","value":1,"expect":null}""").Expect);
        Assert.Equal(TagValue.FromInt64(3), Read("""{"device":"d","tag":"t","value":1,"expect":3}""").Expect);
    }

    [Theory]
    [InlineData("""{"tag":"t","value":1}""", "missing \"device\"")]
    [InlineData("""{"device":"d","value":1}""", "missing \"tag\"")]
    [InlineData("""{"device":"d","tag":"t"}""", "missing \"value\"")]
    [InlineData("""{"device":"*","tag":"t","value":1}""", "claim \"device\" '*' is not a device id")]
    [InlineData("""{"device":"door-contacts/*","tag":"t","value":1}""", "wildcards and paths are not accepted")]
    [InlineData("""{"device":"../plc","tag":"t","value":1}""", "is not a device id")]
    [InlineData("""{"device":"PLC","tag":"t","value":1}""", "is not a device id")]
    [InlineData("""{"device":"plc\n","tag":"t","value":1}""", "claim \"device\" 'plc?' is not a device id")]
    [InlineData("""{"device":"plc","tag":"../setpoint","value":1}""", "claim \"tag\" '../setpoint' is not a tag id")]
    [InlineData("""{"device":"plc","tag":"set*","value":1}""", "is not a tag id")]
    [InlineData("""{"device":"plc","tag":"a/b","value":1}""", "is not a tag id")]
    [InlineData("""{"device":"plc","tag":"+","value":1}""", "is not a tag id")]
    [InlineData("""{"device":"plc","tag":"#","value":1}""", "is not a tag id")]
    [InlineData("""{"device":7,"tag":"t","value":1}""", "claim \"device\" must be a string")]
    [InlineData("""{"device":"plc","tag":"t","value":null}""", "claim \"value\" must be a number, true or false, or text; not null")]
    [InlineData("""{"device":"plc","tag":"t","value":{"a":1}}""", "not object")]
    [InlineData("""{"device":"plc","tag":"t","value":[1,2]}""", "not array")]
    [InlineData("""{"device":"plc","tag":"t","value":1e400}""", "a number no tag can hold")]
    [InlineData("""{"device":"plc","tag":"t","value":-1e400}""", "a number no tag can hold")]
    [InlineData("""{"device":"plc","tag":"t","value":1,"expect":[1]}""", "claim \"expect\" must be a number")]
    public void TryRead_BadClaims_RefusedWithTheReason(string claims, string reason)
    {
        Assert.False(WriteCommand.TryRead(Command(claims), out WriteCommand? write, out _, out _, out string? error));
        Assert.Null(write);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_OversizedClaims_Refused()
    {
        string text = new('x', WriteCommand.MaxText + 1);
        Assert.False(WriteCommand.TryRead(Command($$"""{"device":"plc","tag":"t","value":"{{text}}"}"""), out _, out _, out _, out string? error));
        Assert.Contains($"at most {WriteCommand.MaxText}", error, StringComparison.Ordinal);
        Assert.False(WriteCommand.TryRead(Command($$"""{"device":"{{new string('d', 65)}}","tag":"t","value":1}"""), out _, out _, out _, out error));
        Assert.Contains("at most 64", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_ValidIdsBadValue_NamesTheTargetForTheAuditRecord()
    {
        Assert.False(WriteCommand.TryRead(Command("""{"device":"plc","tag":"setpoint","value":null}"""), out _, out string? device, out string? tag, out _));
        Assert.Equal(("plc", "setpoint"), (device, tag));
        Assert.False(WriteCommand.TryRead(Command("""{"device":"plc","tag":"s*","value":1}"""), out _, out device, out tag, out _));
        Assert.Equal(("plc", (string?)null), (device, tag));
    }

    private static WriteCommand Read(string claims)
    {
        Assert.True(WriteCommand.TryRead(Command(claims), out WriteCommand? write, out _, out _, out string? error), error);
        return write!;
    }

    private static VerifiedCommand Command(string claims) =>
        new("write", "alice", JsonDocument.Parse(claims).RootElement.Clone(), Key: null, "jti-1", DateTimeOffset.UnixEpoch, "jti-1");
}
