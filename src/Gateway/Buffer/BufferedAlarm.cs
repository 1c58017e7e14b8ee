namespace SmartCity.Edge.Gateway.Buffer;

/// <summary>A committed alarm transition awaiting delivery, with its gateway-wide seq.</summary>
internal readonly record struct BufferedAlarm(long Seq, AlarmRecord Record);
