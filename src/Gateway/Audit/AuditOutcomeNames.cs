namespace SmartCity.Edge.Gateway.Audit;

/// <summary>The wire names of <see cref="AuditOutcome"/> (docs/commands.md, "Audit trail").</summary>
internal static class AuditOutcomeNames
{
    public static string ToWire(this AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Ok => "ok",
        AuditOutcome.Refused => "refused",
        AuditOutcome.DeviceError => "device_error",
        AuditOutcome.NotConfirmed => "not_confirmed",
        AuditOutcome.Interrupted => "interrupted",
        _ => throw new InvalidOperationException($"Unhandled audit outcome {outcome}."),
    };
}
