namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>One metric of a received payload (NCMD, DCMD; tests read our own payloads back with it). Absent fields are null.</summary>
internal sealed class SparkplugReceivedMetric
{
    public string? Name { get; set; }

    public ulong? Alias { get; set; }

    public ulong? Timestamp { get; set; }

    /// <summary>The raw <c>datatype</c>; may name a type we do not know.</summary>
    public uint? DataType { get; set; }

    public bool IsHistorical { get; set; }

    public bool IsTransient { get; set; }

    public bool IsNull { get; set; }

    public SparkplugWireValue Value { get; set; }

    /// <summary>The <c>Quality</c> property's <c>int_value</c>, when present.</summary>
    public int? Quality { get; set; }

    /// <summary>The <c>type</c> of the <c>Quality</c> property value (3, Int32, when well-formed).</summary>
    public uint? QualityType { get; set; }

    /// <summary>How many properties the metric carried.</summary>
    public int PropertyCount { get; set; }
}
