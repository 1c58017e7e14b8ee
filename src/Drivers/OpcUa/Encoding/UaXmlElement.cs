namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>An XML fragment carried as UTF-8 text (OPC 10000-6 §5.2.2.8); kept as text, never parsed.</summary>
public readonly record struct UaXmlElement(string? Xml)
{
    public override string ToString() => Xml ?? string.Empty;
}
