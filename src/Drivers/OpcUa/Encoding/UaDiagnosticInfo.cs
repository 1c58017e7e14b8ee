namespace SmartCity.Edge.Drivers.OpcUa;

/// <summary>
/// Vendor diagnostics for a result (OPC 10000-4 §7.8, encoding 10000-6 §5.2.2.12). The string fields are indexes
/// into the response header's string table; −1 means absent.
/// </summary>
public sealed record UaDiagnosticInfo(
    int SymbolicId = -1,
    int NamespaceUri = -1,
    int Locale = -1,
    int LocalizedText = -1,
    string? AdditionalInfo = null,
    UaStatusCode? InnerStatusCode = null,
    UaDiagnosticInfo? InnerDiagnosticInfo = null);
