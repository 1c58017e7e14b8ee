namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>Human-readable text with an optional locale (OPC 10000-6 §5.2.2.14).</summary>
public readonly record struct UaLocalizedText(string? Locale, string? Text)
{
    public override string ToString() => Text ?? string.Empty;
}
