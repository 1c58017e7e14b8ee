using System.Text;
using SmartCity.Edge.Gateway.Commands;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>Bad commands from upstream get a clear error, never an exception.</summary>
public sealed class AckCommandTests
{
    [Theory]
    [InlineData("""{"alarm":"a1","by":"desk-1","comment":"ok","id":"r9"}""", null)]
    [InlineData("""{"alarm":"a1","by":"desk-1"}""", null)]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("""[1,2]""", "command must be a JSON object")]
    [InlineData("""{"by":"desk-1"}""", "missing \"alarm\"")]
    [InlineData("""{"alarm":"a1"}""", "missing \"by\"")]
    [InlineData("""{"alarm":5,"by":"desk-1"}""", "must be strings")]
    public void TryParse_Payload_ParsesOrExplains(string payload, string? expectedError)
    {
        bool ok = AckCommand.TryParse(Encoding.UTF8.GetBytes(payload), out AckCommand? command, out _, out string? error);

        if (expectedError is null)
        {
            Assert.True(ok, error);
            Assert.Equal(("a1", "desk-1"), (command!.Alarm, command.By));
        }
        else
        {
            Assert.False(ok);
            Assert.Contains(expectedError, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryParse_OversizePayload_IsRefusedBeforeParsing()
    {
        byte[] payload = Encoding.UTF8.GetBytes("{\"alarm\":\"" + new string('a', 5000) + "\",\"by\":\"x\"}");

        Assert.False(AckCommand.TryParse(payload, out _, out _, out string? error));
        Assert.Contains("too large", error, StringComparison.Ordinal);
    }
}
