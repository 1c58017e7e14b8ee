namespace SmartCity.Edge.Gateway.Tests.Integration;

/// <summary>A device whose hardware is missing (this machine has no GPIO chip) must not hold up the others.</summary>
public sealed class MissingHardwareTests : BrokerTest
{
    private const string Prefix = "smartcity/lab/test-gw";

    [Fact]
    public async Task GpioDeviceWithoutChip_IsBadWithActionableReason_WhileSimulatedDeviceKeepsPublishing()
    {
        // A chip number this machine does not have (CI machines have none at all).
        int chip = Enumerable.Range(7, 100).First(n => !File.Exists($"/dev/gpiochip{n}"));
        string yaml = TestConfigs.CounterPark(Path.Combine(Directory, "data"), Broker.Port, devices: 1, pollInterval: "100ms")
            .Replace("upstream:", $"""
                  - id: cabinet-io
                    driver: gpio
                    gpio_chip: {chip}
                    poll_interval: 200ms
                    tags:
                      - id: door_contact
                        pin: 17
                        pull: up
                        active_low: true
                upstream:
                """, StringComparison.Ordinal);
        string config = TestConfigs.Write(Directory, yaml);
        await using MqttTestSubscriber subscriber = await MqttTestSubscriber.ConnectAsync(Broker.Port, Prefix + "/telemetry/#");
        await using GatewayProcess gateway = GatewayProcess.Start("run", "--config", config);

        List<ReceivedMessage> messages = await subscriber.CollectUntilAsync(
            r => TelemetryLog.Readings(r).Any(x => x.Device == "cabinet-io")
                && TelemetryLog.Readings(r).Count(x => x.Device == "counter-1") >= 20,
            TestTimeouts.Long);

        var gpio = TelemetryLog.Readings(messages).First(x => x.Device == "cabinet-io").Reading;
        Assert.Equal("bad", gpio.GetProperty("quality").GetString());
        string reason = gpio.GetProperty("reason").GetString()!;
        Assert.Contains($"/dev/gpiochip{chip}", reason, StringComparison.Ordinal);
        Assert.Contains("door_contact", gpio.GetProperty("tag").GetString()!, StringComparison.Ordinal);
        Assert.Contains("Device cabinet-io is offline", gateway.Log, StringComparison.Ordinal);
        Assert.False(gateway.HasExited);
    }
}
