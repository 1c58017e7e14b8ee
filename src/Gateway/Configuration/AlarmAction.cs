using SmartCity.Edge.Drivers;

namespace SmartCity.Edge.Gateway.Configuration;

/// <summary>One entry of an alarm's <c>actions:</c>: write <paramref name="Value"/> to an output tag when the alarm becomes active.</summary>
/// <param name="DeviceId">Device that owns the output.</param>
/// <param name="TagId">Output tag (a coil, a holding register, a GPIO output).</param>
/// <param name="Value">Written when the alarm becomes active.</param>
/// <param name="ResetValue">Written when <paramref name="Reset"/> happens.</param>
/// <param name="Reset">When the output goes back to <paramref name="ResetValue"/>.</param>
public sealed record AlarmAction(string DeviceId, string TagId, TagValue Value, TagValue ResetValue, AlarmActionReset Reset);

/// <summary>When a local action's output is reset.</summary>
public enum AlarmActionReset
{
    /// <summary>When the alarm leaves active/acknowledged for cleared (or unacknowledged_cleared).</summary>
    OnClear,

    /// <summary>When someone acknowledges the alarm (a siren silenced by the desk).</summary>
    OnAck,

    /// <summary>Never: a person resets the output at the device.</summary>
    Never,
}
