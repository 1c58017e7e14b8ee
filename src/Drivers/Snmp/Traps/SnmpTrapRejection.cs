namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>Why the listener dropped a datagram; each is counted (<see cref="SnmpTrapStatistics"/>).</summary>
internal enum SnmpTrapRejection
{
    UnknownSource,
    Malformed,
    WrongCommunity,
    UnknownUser,
    WrongDigest,
    SecurityLevel,
    DecryptionError,
    NotInTimeWindow,
    NotANotification,
}
