using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>
/// Encodes readings once, at commit time, into the JSON members that the upstream contract
/// documents (docs/upstream.md), without the enclosing braces and without <c>seq</c>, which the buffer assigns.
/// </summary>
internal sealed class RecordEncoder
{
    private readonly JsonMembersWriter _json = new(256);

    public BufferEntry EncodeReading(TagTable table, in TagReading reading)
    {
        _json.Begin();
        _json.Writer.WriteString("tag"u8, table[reading.TagIndex].Id);
        _json.WriteValue("value"u8, reading.Value);
        _json.Writer.WriteString("quality"u8, QualityName(reading.Quality));
        if (reading.Reason is not null)
        {
            _json.Writer.WriteString("reason"u8, reading.Reason);
        }

        _json.WriteTimestamp("ts"u8, reading.SourceTimestamp);
        return new BufferEntry(RecordKind.Telemetry, table.DeviceId, _json.End());
    }

    public static string QualityName(Quality quality) => quality switch
    {
        Quality.Good => "good",
        Quality.Uncertain => "uncertain",
        _ => "bad",
    };
}
