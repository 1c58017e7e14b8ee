namespace SmartCity.Edge.Gateway.Alarms;

/// <summary>What drives an alarm's condition.</summary>
internal enum AlarmKind
{
    /// <summary>A configured rule on one tag (<c>alarms:</c>).</summary>
    Rule,

    /// <summary>Built-in: the device failed <c>offline_after</c> polls in a row.</summary>
    Offline,

    /// <summary>Built-in: a tag of the device reads bad quality while the device itself answers.</summary>
    BadQuality,

    /// <summary>An alarm the device keeps itself (an OPC UA condition, <c>events:</c>): the device drives its state.</summary>
    Device,
}
