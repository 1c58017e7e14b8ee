namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>Configurations for the alarm integration tests.</summary>
internal static class AlarmConfigs
{
    public const string Prefix = "smartcity/lab/alarm-gw";
    public const string WebhookSecret = "test-secret-0123456789";

    /// <summary>
    /// A counter 0..9 every 20 ms (count-high trips at 7, clears at 0 thanks to clear_below: 2, and sets the siren
    /// output while active), the same with a 1 s on-delay (the counter stays above 6 for 60 ms of every 200 ms: never trips),
    /// and a constant 10 with a latched critical alarm (active from the first poll until acknowledged).
    /// </summary>
    public static string Park(string dataDir, int brokerPort, string? webhookBase = null)
    {
        string webhooks = webhookBase is null ? string.Empty : $$"""
            webhooks:
              - url: {{webhookBase}}hook
                secret: ${WEBHOOK_SECRET}
                max_retry_interval: 1s
              - url: {{webhookBase}}critical
                secret: ${WEBHOOK_SECRET}
                min_severity: critical
                max_retry_interval: 1s
            """;
        return $$"""
            gateway:
              id: alarm-gw
              site: lab
              data_dir: {{dataDir}}
            devices:
              - id: panel
                driver: simulator
                poll_interval: 20ms
                tags:
                  - id: count
                    signal: counter
                    min: 0
                    max: 9
                  - id: level
                    signal: constant
                    value: 10
                    unit: ppm
              - id: siren-panel
                driver: simulator
                poll_interval: 20ms
                tags:
                  - id: siren
                    signal: constant
                    value: 0
            alarms:
              - id: count-high
                tag: panel/count
                above: 6
                clear_below: 2
                severity: high
                message: "count at {value}"
                actions:
                  - device: siren-panel
                    tag: siren
                    value: 1
                    reset_value: 0
              - id: count-high-delayed
                tag: panel/count
                above: 6
                delay: 1s
              - id: level-high
                tag: panel/level
                above: 5
                latch: true
                severity: critical
                message: "{device}/{tag} at {value} {unit}"
            alarm_options:
              max_transitions: 0
            {{webhooks}}
            upstream:
              mqtt:
                server: mqtt://127.0.0.1:{{brokerPort}}
                client_id: alarm-gw
                topic_prefix: {{Prefix}}
                qos: 1
            """;
    }

    /// <summary>
    /// A counter 0..9 every 20 ms with an alarm above 6 that clears below 2: a transition every ~100 ms, for webhook
    /// tests. <paramref name="webhooks"/> is a whole <c>webhooks:</c> section; <paramref name="upstream"/> the lines
    /// under <c>upstream:</c>, indented by two spaces.
    /// </summary>
    /// <summary>
    /// A simulator device <c>panel</c> whose <c>count</c> runs 0–9 every 20 ms, and the alarm <c>count-high</c> on it
    /// (above 6, clear below 2, no rate limit): a transition every ~100 ms. YAML for the <c>devices:</c> list followed by
    /// the <c>alarms:</c> and <c>alarm_options:</c> sections.
    /// </summary>
    public const string FlappingPanel = """
          - id: panel
            driver: simulator
            poll_interval: 20ms
            tags:
              - id: count
                signal: counter
                min: 0
                max: 9
        alarms:
          - id: count-high
            tag: panel/count
            above: 6
            clear_below: 2
            severity: high
        alarm_options:
          max_transitions: 0
        """;

    public static string CounterAlarmPark(string gatewayId, string dataDir, string webhooks, string upstream) =>
        $"""
        gateway:
          id: {gatewayId}
          site: lab
          data_dir: {dataDir}
        devices:
        {FlappingPanel}
        {webhooks}
        upstream:
        {upstream}
        http:
          enabled: false
        """;

    /// <summary>
    /// A constant level of 10 trips two latched alarms: level-high (critical) switches the siren on, reset when it is
    /// acknowledged (<c>reset: on_ack</c>); level-warning has no action.
    /// </summary>
    public static string LatchedPark(string dataDir, int brokerPort, string commands = "", bool httpEndpoint = false) => $$"""
        gateway:
          id: alarm-gw
          site: lab
          data_dir: {{dataDir}}
        devices:
          - id: panel
            driver: simulator
            poll_interval: 100ms
            tags:
              - id: level
                signal: constant
                value: 10
          - id: siren-panel
            driver: simulator
            poll_interval: 100ms
            tags:
              - id: siren
                signal: constant
                value: 0
        alarms:
          - id: level-high
            tag: panel/level
            above: 5
            latch: true
            severity: critical
            actions:
              - { device: siren-panel, tag: siren, value: 1, reset_value: 0, reset: on_ack }
          - id: level-warning
            tag: panel/level
            above: 1
            latch: true
            severity: warning
        {{commands}}
        upstream:
          mqtt:
            server: mqtt://127.0.0.1:{{brokerPort}}
            client_id: alarm-gw
            topic_prefix: {{Prefix}}
        {{(httpEndpoint ? "http:\n  listen: 127.0.0.1:0" : string.Empty)}}
        """;
}
