namespace SmartCity.Edge.Drivers;

/// <summary>Base of each driver's validated settings record (connection keys and per-tag keys).</summary>
public abstract record DriverSettings;
