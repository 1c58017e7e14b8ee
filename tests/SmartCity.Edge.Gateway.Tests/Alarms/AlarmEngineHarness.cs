using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Alarms;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Tests.Alarms;

/// <summary>An <see cref="AlarmEngine"/> on a <see cref="FakeTimeProvider"/>, recording what it publishes.</summary>
internal sealed class AlarmEngineHarness : IAlarmEventSink, IDisposable
{
    public const string Device = "dev-1";
    public const string Tag = "t1";

    /// <summary><see cref="Device"/>'s tag table: <see cref="Tag"/> first, then t2 … t4.</summary>
    private static readonly TagTable s_table = new(Device, new[] { "t1", "t2", "t3", "t4" }.Select(t => new TagTableEntry(t, TagDataType.Unknown)));

    /// <param name="deviceAlarmSources">Devices that report alarms they keep (OPC UA <c>events:</c>); default: <see cref="Device"/>.</param>
    public AlarmEngineHarness(IEnumerable<AlarmDefinition> alarms, AlarmOptions? options = null, IEnumerable<AlarmSnapshot>? restored = null, IReadOnlySet<string>? deviceAlarmSources = null)
    {
        Engine = new AlarmEngine(alarms.ToArray(), options ?? Unlimited, Time, this, restored, deviceAlarmSources ?? DeviceKeepsAlarms);
    }

    /// <summary>Only <see cref="Device"/> reports alarms it keeps.</summary>
    public static IReadOnlySet<string> DeviceKeepsAlarms { get; } = new HashSet<string>([Device], StringComparer.Ordinal);

    public static AlarmOptions Unlimited { get; } = AlarmOptions.Default with { MaxTransitions = 0 };

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    public AlarmEngine Engine { get; }

    public List<AlarmEvent> Events { get; } = [];

    /// <summary>States published so far, in order, as wire names.</summary>
    public IEnumerable<string> States => Events.Select(e => e.State.ToWire());

    public static AlarmDefinition Rule(AlarmRule rule, string? unit = null) =>
        new(rule.Id, AlarmKind.Rule, rule.DeviceId, rule.TagId, unit, rule.Severity, rule.Message, rule.Delay, rule.ClearDelay, rule.Latch, rule.Actions, rule);

    public static AlarmRule Above(double above, string id = "a1") =>
        new(id, Device, Tag, AlarmCondition.Above, TagValue.FromDouble(above), AlarmSeverity.High, id);

    public static AlarmRule Below(double below, string id = "a1") =>
        new(id, Device, Tag, AlarmCondition.Below, TagValue.FromDouble(below), AlarmSeverity.High, id);

    public void Publish(AlarmEvent alarmEvent) => Events.Add(alarmEvent);

    /// <summary>A reload with <paramref name="alarms"/>, no rate limit, and <paramref name="deviceAlarmSources"/> (default: <see cref="Device"/>).</summary>
    public void Reconfigure(IEnumerable<AlarmDefinition> alarms, IReadOnlySet<string>? deviceAlarmSources = null) =>
        Engine.Reconfigure(alarms.ToArray(), Unlimited, deviceAlarmSources ?? DeviceKeepsAlarms);

    /// <summary>Lets <paramref name="step"/> pass, then evaluates a good reading of <paramref name="value"/>.</summary>
    public void Feed(double value, TimeSpan? step = null) => Feed(TagValue.FromDouble(value), step);

    public void Feed(TagValue value, TimeSpan? step = null)
    {
        Time.Advance(step ?? TimeSpan.FromMilliseconds(100));
        Engine.Evaluate(s_table, [TagReading.Good(0, value, Time.GetUtcNow())]);
    }

    public void FeedBad(string reason, string tag = Tag)
    {
        Time.Advance(TimeSpan.FromMilliseconds(100));
        Engine.Evaluate(s_table, [TagReading.Bad(IndexOf(tag), reason, Time.GetUtcNow())]);
    }

    /// <summary>Evaluates one frame of good readings of <see cref="Device"/>'s tags, in order.</summary>
    public void FeedFrame(params (string Tag, double Value)[] readings)
    {
        Time.Advance(TimeSpan.FromMilliseconds(100));
        Engine.Evaluate(s_table, readings.Select(r => TagReading.Good(IndexOf(r.Tag), TagValue.FromDouble(r.Value), Time.GetUtcNow())).ToArray());
    }

    private static int IndexOf(string tag) => s_table.TryGetIndex(tag, out int index) ? index : throw new ArgumentException($"tag '{tag}' is not in the harness's table", nameof(tag));

    public void Dispose() => Engine.Dispose();
}
