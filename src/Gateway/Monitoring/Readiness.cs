namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>The gateway's current state as <c>/readyz</c> and the status page show it: the worst level and every problem, worst first.</summary>
/// <param name="Level">The worst level of any problem; <see cref="ReadinessLevel.Ready"/> when there is none.</param>
/// <param name="Problems">Each problem in words for a technician, worst first.</param>
internal sealed record Readiness(ReadinessLevel Level, IReadOnlyList<ReadinessProblem> Problems)
{
    /// <summary><c>ready</c>, <c>degraded</c> or <c>not_ready</c>: the JSON and the first word of <c>/readyz</c>.</summary>
    public string State => Level switch
    {
        ReadinessLevel.Ready => "ready",
        ReadinessLevel.Degraded => "degraded",
        _ => "not_ready",
    };

    /// <summary>The header line: <c>ready</c>, or the level and the worst problem's short form, e.g. <c>degraded: upstream down, buffering</c>.</summary>
    public string Summary => Problems.Count == 0
        ? "ready"
        : $"{(Level == ReadinessLevel.NotReady ? "not ready" : "degraded")}: {string.Join(", ", Problems.Where(p => p.Level == Level).Select(p => p.Short).Distinct())}";
}

/// <summary>One thing that keeps the gateway from <see cref="ReadinessLevel.Ready"/>.</summary>
/// <param name="Level">How bad it is.</param>
/// <param name="Short">A few words for the header, e.g. <c>upstream down, buffering</c> or <c>device plc offline</c>.</param>
/// <param name="Text">The whole sentence with figures and the reason.</param>
internal sealed record ReadinessProblem(ReadinessLevel Level, string Short, string Text);
