using System.Text.Json.Serialization;

namespace SmartCity.Edge.Gateway.Tests.Sparkplug;

/// <summary>Source-generated JSON for the commands sent to the host peer.</summary>
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(object[]))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(double))]
internal sealed partial class SparkplugTestJson : JsonSerializerContext;
