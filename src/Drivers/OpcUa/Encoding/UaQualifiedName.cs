namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>A browse name: namespace index plus text (OPC 10000-6 §5.2.2.13).</summary>
public readonly record struct UaQualifiedName(ushort NamespaceIndex, string? Name)
{
    public override string ToString() => NamespaceIndex == 0 ? Name ?? string.Empty : $"{NamespaceIndex}:{Name}";
}
