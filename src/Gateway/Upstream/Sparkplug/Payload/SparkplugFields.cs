namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>
/// Our schema of the Sparkplug B payload, written from the field descriptions of Sparkplug 3.0 chapter 6 (§6.4.5 to
/// §6.4.17): message, field number, protobuf type. The encoding is protobuf's (proto2 semantics: every scalar is
/// optional and written only when present, so <c>seq = 0</c>, <c>alias</c> and <c>timestamp</c> keep their
/// presence; proto3's "zero means absent" would lose the NBIRTH's seq 0).
/// </summary>
/// <remarks>
/// <code>
/// Payload        1 timestamp uint64 (ms UTC, when sent) · 2 metrics Metric (repeated) · 3 seq uint64 · 4 uuid string · 5 body bytes
/// Metric         1 name string · 2 alias uint64 · 3 timestamp uint64 (ms UTC, when acquired) · 4 datatype uint32
///                5 is_historical bool · 6 is_transient bool · 7 is_null bool · 8 metadata MetaData · 9 properties PropertySet
///                value, one of: 10 int_value uint32 · 11 long_value uint64 · 12 float_value float · 13 double_value double
///                               14 boolean_value bool · 15 string_value string · 16 bytes_value bytes · 17 dataset_value
///                               18 template_value · 19 extension_value
/// PropertySet    1 keys string (repeated) · 2 values PropertyValue (repeated, same count as keys)
/// PropertyValue  1 type uint32 · 2 is_null bool
///                value, one of: 3 int_value uint32 · 4 long_value uint64 · 5 float_value float · 6 double_value double
///                               7 boolean_value bool · 8 string_value string · 9 propertyset_value PropertySet
///                               10 propertysets_value PropertySetList · 11 extension_value
/// </code>
/// We send neither DataSet, Template nor MetaData; a reader skips them (and any field it does not know).
/// </remarks>
internal static class SparkplugFields
{
    public static class Payload
    {
        public const int Timestamp = 1;
        public const int Metrics = 2;
        public const int Seq = 3;
        public const int Uuid = 4;
        public const int Body = 5;
    }

    public static class Metric
    {
        public const int Name = 1;
        public const int Alias = 2;
        public const int Timestamp = 3;
        public const int DataType = 4;
        public const int IsHistorical = 5;
        public const int IsTransient = 6;
        public const int IsNull = 7;
        public const int Metadata = 8;
        public const int Properties = 9;
        public const int IntValue = 10;
        public const int LongValue = 11;
        public const int FloatValue = 12;
        public const int DoubleValue = 13;
        public const int BooleanValue = 14;
        public const int StringValue = 15;
        public const int BytesValue = 16;
    }

    public static class PropertySet
    {
        public const int Keys = 1;
        public const int Values = 2;
    }

    public static class PropertyValue
    {
        public const int Type = 1;
        public const int IsNull = 2;
        public const int IntValue = 3;
        public const int LongValue = 4;
        public const int FloatValue = 5;
        public const int DoubleValue = 6;
        public const int BooleanValue = 7;
        public const int StringValue = 8;
    }
}
