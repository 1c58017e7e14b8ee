namespace SmartCity.Edge.Gateway.Monitoring;

/// <summary>How well the gateway does its job right now, worst last (<c>/readyz</c>, the status page header).</summary>
internal enum ReadinessLevel
{
    /// <summary>Every device online, upstream connected, the buffer taking commits: <c>200 ready</c>.</summary>
    Ready,

    /// <summary>
    /// Running as designed and keeping every reading, but something needs attention: upstream down while the disk
    /// buffers, a device offline or still connecting. <c>503 degraded</c>.
    /// </summary>
    Degraded,

    /// <summary>Data at risk: the buffer does not take commits or is full while upstream is down, or a driver is stuck. <c>503 not ready</c>.</summary>
    NotReady,
}
