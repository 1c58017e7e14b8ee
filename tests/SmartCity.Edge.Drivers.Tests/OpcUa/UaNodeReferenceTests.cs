using SmartCity.Edge.Drivers.OpcUa;

namespace SmartCity.Edge.Drivers.Tests.OpcUa;

/// <summary><c>nsu=</c> node ids (OPC 10000-6 §5.3.1.11): parsed once from the configuration, resolved per session.</summary>
public sealed class UaNodeReferenceTests
{
    private static readonly string[] s_firstLife = ["http://opcfoundation.org/UA/", "urn:server", "urn:park:doors", "urn:park:meters"];
    private static readonly string[] s_secondLife = ["http://opcfoundation.org/UA/", "urn:server", "urn:park:meters", "urn:park:doors"];

    [Fact]
    public void TryParse_NamespaceUri_ResolvesToEachSessionsIndex()
    {
        Assert.True(UaNodeReference.TryParse("nsu=urn:park:meters;s=Level", out UaNodeReference node, out _));
        Assert.Equal("urn:park:meters", node.NamespaceUri);

        Assert.True(node.TryResolve(s_firstLife, out UaNodeId first));
        Assert.Equal(UaNodeId.FromString(3, "Level"), first);
        Assert.True(node.TryResolve(s_secondLife, out UaNodeId second));
        Assert.Equal(UaNodeId.FromString(2, "Level"), second);
        Assert.Equal("nsu=urn:park:meters;s=Level", node.ToString());
    }

    [Fact]
    public void TryParse_PlainNodeId_KeepsItsIndexOnEveryServer()
    {
        Assert.True(UaNodeReference.TryParse("ns=2;i=4711", out UaNodeReference node, out _));
        Assert.Null(node.NamespaceUri);
        Assert.True(node.TryResolve(s_secondLife, out UaNodeId resolved));
        Assert.Equal(UaNodeId.FromNumeric(2, 4711), resolved);
        Assert.True(node.TryResolve([], out _));
    }

    [Fact]
    public void TryResolve_UriTheServerLacks_False()
    {
        Assert.True(UaNodeReference.TryParse("nsu=urn:park:gates;i=1", out UaNodeReference node, out _));
        Assert.False(node.TryResolve(s_firstLife, out _));
    }

    [Fact]
    public void TryParse_EscapedSemicolonInUri_RoundTrips()
    {
        Assert.True(UaNodeReference.TryParse("nsu=urn:a%3Bb;g=72962b91-fa75-4ae6-8d28-b404dc7daf63", out UaNodeReference node, out _));
        Assert.Equal("urn:a;b", node.NamespaceUri);
        Assert.Equal(UaNodeIdType.Guid, node.NodeId.IdType);
        Assert.Equal("nsu=urn:a%3Bb;g=72962b91-fa75-4ae6-8d28-b404dc7daf63", node.ToString());
    }

    [Theory]
    [InlineData("nsu=;s=Level", "no namespace URI")]
    [InlineData("nsu=urn:park:meters", "no namespace URI")]
    [InlineData("nsu=urn:park:meters;ns=2;s=Level", "names its namespace twice")]
    [InlineData("nsu=urn:park:meters;x=1", "unknown identifier kind")]
    [InlineData("nsu=urn:park:meters;i=-1", "whole number")]
    public void TryParse_Malformed_FalseWithReason(string text, string reason)
    {
        Assert.False(UaNodeReference.TryParse(text, out _, out string? error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
