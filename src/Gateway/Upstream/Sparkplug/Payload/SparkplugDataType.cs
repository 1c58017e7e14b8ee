namespace SmartCity.Edge.Gateway.Upstream.Sparkplug.Payload;

/// <summary>
/// The Sparkplug B data types (Sparkplug 3.0 §6.4.16), sent in <c>Metric.datatype</c> and <c>PropertyValue.type</c>
/// as a uint32. The numbers are the wire values.
/// </summary>
internal enum SparkplugDataType : uint
{
    Unknown = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    UInt8 = 5,
    UInt16 = 6,
    UInt32 = 7,
    UInt64 = 8,
    Float = 9,
    Double = 10,
    Boolean = 11,
    String = 12,

    /// <summary>Milliseconds since the Unix epoch, UTC, in <c>long_value</c>.</summary>
    DateTime = 13,
    Text = 14,
    Uuid = 15,
    DataSet = 16,
    Bytes = 17,
    File = 18,
    Template = 19,

    /// <summary>Property values only.</summary>
    PropertySet = 20,

    /// <summary>Property values only.</summary>
    PropertySetList = 21,
    Int8Array = 22,
    Int16Array = 23,
    Int32Array = 24,
    Int64Array = 25,
    UInt8Array = 26,
    UInt16Array = 27,
    UInt32Array = 28,
    UInt64Array = 29,
    FloatArray = 30,
    DoubleArray = 31,
    BooleanArray = 32,
    StringArray = 33,
    DateTimeArray = 34,
}
