namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>
/// One metric to write (§6.4.7). Births carry <see cref="Name"/>, <see cref="Alias"/> and the datatype; DATA carries
/// only the alias (tck-id-payloads-alias-data-cmd-requirement) and no datatype (…-metric-datatype-not-req).
/// </summary>
/// <param name="Name">Written when not null.</param>
/// <param name="Alias">Written when not 0: our aliases start at 1, so 0 means "no alias" (bdSeq and Node Control).</param>
/// <param name="Timestamp">Milliseconds since the epoch, UTC, when the value was acquired; always written.</param>
/// <param name="DataType">The metric's datatype, written when <paramref name="WriteDataType"/>.</param>
/// <param name="WriteDataType">True in births.</param>
/// <param name="Value">The value; ignored when <paramref name="IsNull"/>.</param>
/// <param name="IsNull">Written as <c>is_null = true</c>, with no value field.</param>
/// <param name="IsHistorical">Written as <c>is_historical = true</c> (store-and-forward replay).</param>
/// <param name="Quality">The <c>Quality</c> property (0, 192 or 500), or −1 for none.</param>
internal readonly record struct SparkplugMetric(
    string? Name,
    ulong Alias,
    ulong Timestamp,
    SparkplugDataType DataType,
    bool WriteDataType,
    SparkplugWireValue Value,
    bool IsNull,
    bool IsHistorical,
    int Quality)
{
    public const int NoQuality = -1;
}
