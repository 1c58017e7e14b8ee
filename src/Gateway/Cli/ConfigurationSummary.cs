using SmartCity.Edge.Gateway.Configuration;
using SmartCity.Edge.Gateway.Upstream;

namespace SmartCity.Edge.Gateway.Cli;

/// <summary>
/// What a configuration sets up, in the lines <c>validate</c> prints and <c>run</c> logs at start: the counts, the
/// upstream, the topic prefix with the topics under it, and the command topics a desk publishes on — so a technician
/// does not have to work out <c>smartcity/{site}/{id}</c> by hand.
/// </summary>
internal static class ConfigurationSummary
{
    /// <summary>One line: gateway, counts and upstream (never a password: the records leave it out).</summary>
    public static string Overview(GatewayConfiguration configuration)
    {
        int tags = configuration.Devices.Sum(d => d.Tags.Count);
        string upstream = configuration.Upstream.Mqtt is { } mqtt ? mqtt.ToString() : "console only";
        return $"gateway {configuration.Gateway.Id}, {Plural.Of(configuration.Devices.Count, "device")}, {Plural.Of(tags, "tag")}, " +
            $"{Plural.Of(configuration.Alarms.Count, "alarm rule")}, upstream {upstream}";
    }

    /// <summary>The topic prefix and the topics under it.</summary>
    public static string Topics(GatewayConfiguration configuration) =>
        $"topic prefix {configuration.Upstream.TopicPrefix} (telemetry/DEVICE, alarms, alarms/state/ALARM, status)";

    /// <summary>The command topics the gateway subscribes to, or why there are none.</summary>
    public static string Commands(GatewayConfiguration configuration)
    {
        if (configuration.Upstream.Mqtt is null)
        {
            return "command topics: none (no upstream.mqtt)";
        }

        var topics = new UpstreamTopics(configuration.Upstream.TopicPrefix);
        return $"command topics {string.Join(", ", topics.CommandTopics)} (answers on {topics.CommandsResult})";
    }
}
