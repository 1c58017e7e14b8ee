using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Tests.Configuration;

/// <summary>The example files technicians copy from must stay valid.</summary>
public sealed class ShippedConfigTests
{
    [Theory]
    [InlineData("demo.yaml")]
    [InlineData("alarms.example.yaml")]
    public void ShippedConfig_Loads_WithoutProblems(string file)
    {
        var loader = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories(), key => key == "WEBHOOK_SECRET" ? "0123456789abcdef-test" : null);

        ConfigurationLoadResult result = loader.LoadFile(Path.Combine(AppContext.BaseDirectory, "config", file), file);

        Assert.Empty(result.Problems.Ordered().Select(p => p.ToString()));
        Assert.NotNull(result.Configuration);
    }

    [Fact]
    public void AlarmsExample_ReadsEveryKey()
    {
        var loader = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories(), key => key == "WEBHOOK_SECRET" ? "0123456789abcdef-test" : null);

        GatewayConfiguration configuration = loader.LoadFile(Path.Combine(AppContext.BaseDirectory, "config", "alarms.example.yaml")).Configuration!;

        AlarmRule smoke = configuration.Alarms[0];
        Assert.Equal((AlarmCondition.Above, 12.5, 11.5), (smoke.Condition, smoke.Threshold.AsDouble(), smoke.ClearBelow!.Value));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), true), (smoke.Delay, smoke.ClearDelay, smoke.Latch));
        Assert.Equal(AlarmSeverity.Critical, smoke.Severity);
        AlarmAction action = Assert.Single(smoke.Actions);
        Assert.Equal(("siren-panel", "siren", true, false, AlarmActionReset.OnAck), (action.DeviceId, action.TagId, action.Value.AsBoolean(), action.ResetValue.AsBoolean(), action.Reset));
        AlarmRule band = configuration.Alarms[1];
        Assert.Equal((16.0, 28.0, 17.0, 27.0), (band.Threshold.AsDouble(), band.High, band.ClearAbove!.Value, band.ClearBelow!.Value));
        Assert.Equal(3, configuration.AlarmOptions.Offline.OfflineAfter);
        Assert.Equal(["siren-panel"], configuration.AlarmOptions.BadQuality.Except);
        WebhookConfiguration webhook = Assert.Single(configuration.Webhooks);
        Assert.Equal(("0123456789abcdef-test", AlarmSeverity.High), (webhook.Secret, webhook.MinSeverity));
    }
}
