using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Commands;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Commands;

/// <summary>The pieces of a tag's write rules that need no device: value equality, allowed values, the rate limit's window.</summary>
public sealed class WriteRulesTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Same_NumbersByValueTextExactly()
    {
        Assert.True(TagValueEquality.Same(TagValue.FromInt64(1), TagValue.FromBoolean(true)));
        Assert.True(TagValueEquality.Same(TagValue.FromInt64(20), TagValue.FromDouble(20.0)));
        Assert.True(TagValueEquality.Same(TagValue.FromUInt64(ulong.MaxValue), TagValue.FromUInt64(ulong.MaxValue)));
        Assert.True(TagValueEquality.Same(TagValue.FromString("Tür"), TagValue.FromString("Tür")));
        Assert.False(TagValueEquality.Same(TagValue.FromString("1"), TagValue.FromInt64(1)));
        Assert.False(TagValueEquality.Same(TagValue.FromString("a"), TagValue.FromString("A")));
        Assert.False(TagValueEquality.Same(TagValue.FromInt64(16777217), TagValue.FromInt64(16777216)));
        Assert.False(TagValueEquality.Same(TagValue.None, TagValue.FromInt64(0)));
    }

    [Fact]
    public void Same_Float32ReadBackOfAFraction_CountsAsTheValueWritten()
    {
        // A float32 register holds 21.3 as 21.299999237060547: that is what was written.
        Assert.True(TagValueEquality.Same(TagValue.FromDouble(21.3), TagValue.FromDouble((float)21.3)));
        Assert.False(TagValueEquality.Same(TagValue.FromDouble(21.34), TagValue.FromDouble(21.3)));
    }

    [Fact]
    public void IsAllowedValue_OnlyTheListed()
    {
        var rules = new TagWriteRules(null, null, [TagValue.FromInt64(0), TagValue.FromInt64(2), TagValue.FromString("auto")], null, false);

        Assert.True(rules.IsAllowedValue(TagValue.FromDouble(2.0)));
        Assert.True(rules.IsAllowedValue(TagValue.FromString("auto")));
        Assert.False(rules.IsAllowedValue(TagValue.FromInt64(1)));
        Assert.False(rules.IsAllowedValue(TagValue.FromString("2")));
        Assert.True(new TagWriteRules(null, null, null, null, false).IsAllowedValue(TagValue.FromInt64(1)));
    }

    [Fact]
    public void RateLimiter_CountWithinPeriod_ThenRefusedUntilTheOldestLeavesTheWindow()
    {
        var limiter = new WriteRateLimiter();
        var limit = new WriteRateLimit(2, TimeSpan.FromSeconds(10));
        Assert.True(limiter.CanWrite("plc/sp", limit, s_now, out _));
        limiter.Record("plc/sp", limit, s_now);
        limiter.Record("plc/sp", limit, s_now.AddSeconds(4));

        Assert.False(limiter.CanWrite("plc/sp", limit, s_now.AddSeconds(5), out TimeSpan retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(5), retryAfter);
        Assert.True(limiter.CanWrite("plc/other", limit, s_now.AddSeconds(5), out _));
        Assert.True(limiter.CanWrite("plc/sp", limit, s_now.AddSeconds(10), out _));
    }

    [Theory]
    [InlineData("1/10s", 1, 10)]
    [InlineData("5/1m", 5, 60)]
    [InlineData("1000/24h", 1000, 86400)]
    public void TryParseRateLimit_CountSlashPeriod(string text, int count, int seconds)
    {
        Assert.True(GatewayConfigurationLoader.TryParseRateLimit(text, out WriteRateLimit? limit));
        Assert.Equal(new WriteRateLimit(count, TimeSpan.FromSeconds(seconds)), limit);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("0/1s")]
    [InlineData("1001/1s")]
    [InlineData("1/500ms")]
    [InlineData("1/25h")]
    [InlineData("-1/1s")]
    [InlineData("1/")]
    [InlineData("/1s")]
    [InlineData("one/1s")]
    public void TryParseRateLimit_Malformed_Refused(string text) =>
        Assert.False(GatewayConfigurationLoader.TryParseRateLimit(text, out _));
}
