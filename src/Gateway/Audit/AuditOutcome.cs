namespace SmartCity.Edge.Gateway.Audit;

/// <summary>How a write attempt ended, as the audit trail's <c>outcome</c> says it.</summary>
internal enum AuditOutcome
{
    /// <summary><c>ok</c>: written (and, with <c>confirm: read</c>, read back equal).</summary>
    Ok,

    /// <summary><c>refused</c>: the gateway refused it (signature, key, rules, rate, replay, expect); nothing was sent to the device.</summary>
    Refused,

    /// <summary><c>device_error</c>: sent, and the device refused it (Modbus exception, OPC UA status) or could not be reached.</summary>
    DeviceError,

    /// <summary><c>not_confirmed</c>: written, but the read-back differs from the value written or failed.</summary>
    NotConfirmed,

    /// <summary>
    /// <c>interrupted</c>: sent to the device, then the gateway stopped before it recorded the outcome (kill -9, power
    /// cut); recorded at the next start from the <see cref="WriteJournal"/>. Whether the device carried it out is unknown.
    /// </summary>
    Interrupted,
}
