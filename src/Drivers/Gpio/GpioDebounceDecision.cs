namespace SmartCity.Edge.Drivers.Gpio;

/// <summary>What a <see cref="GpioDebouncer"/> asks its owner to do after an edge or a deadline.</summary>
internal readonly record struct GpioDebounceDecision(GpioDebounceAction Action, bool Level, DateTimeOffset Time)
{
    public static GpioDebounceDecision Nothing => default;

    /// <summary>The input settled on <paramref name="level"/>; <paramref name="since"/> is the edge that started the change.</summary>
    public static GpioDebounceDecision Accept(bool level, DateTimeOffset since) => new(GpioDebounceAction.Accept, level, since);

    /// <summary>Call <see cref="GpioDebouncer.OnDeadline"/> at <paramref name="deadline"/>.</summary>
    public static GpioDebounceDecision Arm(DateTimeOffset deadline) => new(GpioDebounceAction.Arm, false, deadline);
}

internal enum GpioDebounceAction
{
    None,
    Accept,
    Arm,
}
