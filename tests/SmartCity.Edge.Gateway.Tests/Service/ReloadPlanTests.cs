using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Hosting;

namespace SmartCity.Edge.Gateway.Tests.Service;

/// <summary>Which devices a reload restarts: a pure function of the running and the new configuration.</summary>
public sealed class ReloadPlanTests
{
    private const string Base = """
        gateway:
          id: plan-gw
          data_dir: /tmp/plan-gw
        devices:
          - id: panel
            driver: simulator
            poll_interval: 1s
            tags:
              - id: smoke
                signal: sine
                min: 0
                max: 10
                deadband: 0.2
          - id: doors
            driver: simulator
            poll_interval: 250ms
            tags:
              - id: north
                signal: toggle
        alarms:
          - id: smoke-high
            tag: panel/smoke
            above: 8
        upstream:
          console: true
        """;

    [Theory]
    [InlineData("max: 10", "max: 12", "", "panel", "", "")]                                   // a driver setting of one tag
    [InlineData("poll_interval: 250ms", "poll_interval: 500ms", "", "doors", "", "")]         // poll interval
    [InlineData("deadband: 0.2", "deadband: 0.5", "", "", "", "")]                            // deadband: processing only
    [InlineData("above: 8", "above: 9", "", "", "", "")]                                      // alarm rule: processing only
    [InlineData("  - id: doors\n", "  - id: gates\n", "gates", "", "doors", "")]              // renamed = added + removed
    [InlineData("console: true", "console: true\nhttp:\n  listen: 127.0.0.1:9090", "", "", "", "http")]
    [InlineData("data_dir: /tmp/plan-gw", "data_dir: /tmp/other", "", "", "", "gateway")]
    public void Between_OneEdit_TouchesOnlyWhatChanged(string find, string replace, string added, string restarted, string removed, string needsRestart)
    {
        GatewayConfiguration running = Load(Base);
        GatewayConfiguration next = Load(Base.Replace(find, replace, StringComparison.Ordinal));

        ReloadPlan plan = ReloadPlan.Between(running, next);

        Assert.Equal(Split(added), plan.Added.Select(d => d.Id));
        Assert.Equal(Split(restarted), plan.Restarted.Select(d => d.Id));
        Assert.Equal(Split(removed), plan.Removed);
        Assert.Equal(Split(needsRestart), plan.NeedsRestart);
        Assert.Equal(next.Devices.Count - plan.Added.Count - plan.Restarted.Count, plan.Unchanged);
    }

    [Fact]
    public void Between_SameFileLoadedTwice_ChangesNothing()
    {
        ReloadPlan plan = ReloadPlan.Between(Load(Base), Load(Base));
        Assert.Empty(plan.Added);
        Assert.Empty(plan.Restarted);
        Assert.Empty(plan.Removed);
        Assert.Empty(plan.NeedsRestart);
        Assert.Equal(2, plan.Unchanged);
    }

    private const string MqttBase = """
        gateway:
          id: plan-gw
          data_dir: /tmp/plan-gw
        devices:
          - id: doors
            driver: simulator
            tags:
              - id: north
                signal: toggle
        webhooks:
          - url: https://desk.example/hook
            secret: first-secret-0123456789
        upstream:
          mqtt:
            server: mqtt://broker-a.example:1883
            allow_plaintext: true
            username: gw
            password: wrong
            topic_prefix: park/plan-gw
        """;

    [Theory]
    [InlineData("password: wrong", "password: right")]
    [InlineData("server: mqtt://broker-a.example:1883", "server: mqtts://broker-b.example:8883")]
    [InlineData("username: gw", "username: gw\n    client_id: other-id\n    qos: 0\n    max_batch: 50")]
    public void Between_MqttConnectionSettingsChanged_AppliedLive_NoRestart(string find, string replace)
    {
        GatewayConfiguration running = Load(MqttBase);
        GatewayConfiguration next = Load(MqttBase.Replace(find, replace.Replace("\\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal));

        ReloadPlan plan = ReloadPlan.Between(running, next);

        Assert.Same(next.Upstream.Mqtt, plan.Mqtt);
        Assert.Empty(plan.NeedsRestart);
        Assert.False(plan.WebhooksChanged);
        Assert.Same(next.Upstream.Mqtt, plan.UpstreamAfter(running.Upstream).Mqtt);
        Assert.Equal(running.Upstream.TopicPrefix, plan.UpstreamAfter(running.Upstream).TopicPrefix);
    }

    [Theory]
    [InlineData("topic_prefix: park/plan-gw", "topic_prefix: park/other", "upstream.mqtt.topic_prefix")]
    [InlineData("    topic_prefix: park/plan-gw", "    topic_prefix: park/plan-gw\n  console: true", "upstream.console")]
    [InlineData("    topic_prefix: park/plan-gw", "    topic_prefix: park/plan-gw\n  sparkplug:\n    servers: [\"mqtt://127.0.0.1:1883\"]\n    group_id: park-a", "upstream.sparkplug")]
    public void Between_TopicPrefixConsoleOrSparkplugChanged_NeedsRestart_ConnectionUntouched(string find, string replace, string section)
    {
        GatewayConfiguration running = Load(MqttBase);
        GatewayConfiguration next = Load(MqttBase.Replace(find, replace.Replace("\\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal));

        ReloadPlan plan = ReloadPlan.Between(running, next);

        Assert.Equal([section], plan.NeedsRestart);
        Assert.Null(plan.Mqtt);
        Assert.Same(running.Upstream, plan.UpstreamAfter(running.Upstream));
    }

    [Theory]
    [InlineData("secret: first-secret-0123456789", "secret: second-secret-0123456789")]
    [InlineData("url: https://desk.example/hook", "url: https://desk.example/other")]
    [InlineData("    secret: first-secret-0123456789", "    secret: first-secret-0123456789\n    min_severity: high")]
    public void Between_WebhookChanged_AppliedLive_NoRestart(string find, string replace)
    {
        GatewayConfiguration running = Load(MqttBase);
        GatewayConfiguration next = Load(MqttBase.Replace(find, replace.Replace("\\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal));

        ReloadPlan plan = ReloadPlan.Between(running, next);

        Assert.True(plan.WebhooksChanged);
        Assert.Empty(plan.NeedsRestart);
        Assert.Null(plan.Mqtt);
    }

    private static string[] Split(string ids) => ids.Length == 0 ? [] : ids.Split(',');

    private static GatewayConfiguration Load(string yaml)
    {
        ConfigurationLoadResult result = new GatewayConfigurationLoader(GatewayHost.CreateDriverFactories()).Load(yaml, "plan.yaml", "/tmp");
        Assert.True(result.Configuration is not null, string.Join('\n', result.Problems.Ordered()));
        return result.Configuration!;
    }
}
