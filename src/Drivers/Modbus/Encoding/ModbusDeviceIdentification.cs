namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>
/// What a device told about itself through Read Device Identification (AP §6.21), every transaction of a "more follows"
/// stream joined: the objects in the order received and the conformity level of the last reply.
/// </summary>
public sealed class ModbusDeviceIdentification
{
    public ModbusDeviceIdentification(ModbusDeviceIdCode readDeviceIdCode, byte conformityLevel, IReadOnlyList<ModbusDeviceIdObject> objects, int transactions)
    {
        ReadDeviceIdCode = readDeviceIdCode;
        ConformityLevel = conformityLevel;
        Objects = objects;
        Transactions = transactions;
    }

    public ModbusDeviceIdCode ReadDeviceIdCode { get; }

    /// <summary>Highest category the device supports (0x01–0x03), bit 7 set when it also supports individual access.</summary>
    public byte ConformityLevel { get; }

    public IReadOnlyList<ModbusDeviceIdObject> Objects { get; }

    /// <summary>How many request/reply pairs it took (more than one when the device set "more follows").</summary>
    public int Transactions { get; }

    /// <summary>The first object with <paramref name="objectId"/>, or null.</summary>
    public ModbusDeviceIdObject? Find(byte objectId) => Objects.FirstOrDefault(o => o.ObjectId == objectId);
}
