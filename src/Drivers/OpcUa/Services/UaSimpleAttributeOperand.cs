namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// SimpleAttributeOperand (OPC 10000-4 §7.4.4.5), an EventFilter select clause:
/// <c>typeDefinitionId NodeId, browsePath QualifiedName[], attributeId UInt32, indexRange String</c>.
/// </summary>
/// <param name="TypeDefinitionId">The event type declaring the field (e.g. BaseEventType 2041).</param>
/// <param name="BrowsePath">Browse names from the event to the field (namespace 0 for standard fields).</param>
/// <param name="AttributeId">Value (13) for fields; NodeId (1) with an empty path for the ConditionId.</param>
public sealed record UaSimpleAttributeOperand(UaNodeId TypeDefinitionId, IReadOnlyList<UaQualifiedName> BrowsePath, UaAttributeId AttributeId = UaAttributeId.Value)
{
    /// <summary>The fields an alarm needs (notes §5.4), in this order: EventId, EventType, SourceName, Time, Message, Severity, ConditionId, ActiveState/Id, AckedState/Id, Retain.</summary>
    public static IReadOnlyList<UaSimpleAttributeOperand> AlarmFields { get; } =
    [
        Field(UaTypeIds.BaseEventType, "EventId"),
        Field(UaTypeIds.BaseEventType, "EventType"),
        Field(UaTypeIds.BaseEventType, "SourceName"),
        Field(UaTypeIds.BaseEventType, "Time"),
        Field(UaTypeIds.BaseEventType, "Message"),
        Field(UaTypeIds.BaseEventType, "Severity"),
        new(UaTypeIds.ConditionType, [], UaAttributeId.NodeId),
        Field(UaTypeIds.AlarmConditionType, "ActiveState", "Id"),
        Field(UaTypeIds.AcknowledgeableConditionType, "AckedState", "Id"),
        Field(UaTypeIds.ConditionType, "Retain"),
    ];

    public static UaSimpleAttributeOperand Field(uint typeDefinition, params string[] path) =>
        new(typeDefinition, path.Select(p => new UaQualifiedName(0, p)).ToArray());

    public void Encode(UaBinaryWriter writer)
    {
        writer.WriteNodeId(TypeDefinitionId);
        writer.WriteArray(BrowsePath, static (w, name) => w.WriteQualifiedName(name));
        writer.WriteUInt32((uint)AttributeId);
        writer.WriteString(null);
    }
}
