namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>Which member of a metric's <c>value</c> oneof carries the value (§6.4.7, field numbers 10 to 19).</summary>
internal enum SparkplugValueField : byte
{
    /// <summary>No value field: a null metric (<c>is_null</c>), or a kind we skip (DataSet, Template, extension).</summary>
    None = 0,
    Int,
    Long,
    Float,
    Double,
    Boolean,
    String,
    Bytes,
}
