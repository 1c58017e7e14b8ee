using System.Text;
using SmartCity.Edge.Gateway.Upstream.Webhooks;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void Compute_Rfc4231TestCase2_MatchesPublishedDigest()
    {
        // RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?".
        string signature = WebhookSignature.Compute("Jefe", Encoding.ASCII.GetBytes("what do ya want for nothing?"));

        Assert.Equal("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", signature);
    }
}
