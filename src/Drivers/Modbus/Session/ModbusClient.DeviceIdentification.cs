using System.Buffers;

namespace SmartCity.Edge.Drivers.Modbus;

/// <summary>Read Device Identification (FC 43, MEI 14; AP §6.21): what answers at this unit id.</summary>
public sealed partial class ModbusClient
{
    /// <summary>
    /// Most objects one identification may collect. Object ids are one byte, so a device has at most 256 of them; more
    /// means it repeats itself.
    /// </summary>
    public const int MaxDeviceIdObjects = 256;

    /// <summary>
    /// Reads the device's identification objects. With stream access (<see cref="ModbusDeviceIdCode.Basic"/>,
    /// <see cref="ModbusDeviceIdCode.Regular"/>, <see cref="ModbusDeviceIdCode.Extended"/>) it starts at
    /// <paramref name="objectId"/> (normally 0) and asks again from NextObjectId while the device sets "more follows",
    /// refusing a NextObjectId that does not advance (a device looping on the same objects) and more than
    /// <see cref="MaxDeviceIdObjects"/> objects. With <see cref="ModbusDeviceIdCode.Individual"/> it reads the one
    /// object <paramref name="objectId"/>. A device without FC 43 answers IllegalFunction (01):
    /// <see cref="ModbusExceptionResponseException"/> whose message says so. Each transaction is a read, retried as
    /// <see cref="ReadAsync"/> retries.
    /// </summary>
    public async Task<ModbusDeviceIdentification> ReadDeviceIdentificationAsync(ModbusDeviceIdCode code, byte objectId, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "not a Read Device ID code");
        }

        var objects = new List<ModbusDeviceIdObject>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ModbusDeviceIdRequest.Size + ModbusLimits.MaxPduLength);
        try
        {
            int transactions = 0;
            byte next = objectId;
            while (true)
            {
                var request = new ModbusDeviceIdRequest(code, next);
                request.TryWrite(buffer, out int requestLength);
                Memory<byte> reply = buffer.AsMemory(requestLength, ModbusLimits.MaxPduLength);
                (ModbusDeviceIdResponse response, int replyLength) = await ExchangeDeviceIdAsync(buffer.AsMemory(0, requestLength), reply, cancellationToken).ConfigureAwait(false);
                transactions++;
                ReadOnlySpan<byte> pdu = reply.Span[..replyLength];
                if (response.ReadDeviceIdCode != code)
                {
                    throw new ModbusProtocolException($"malformed Read Device Identification reply: Read Device ID code {(byte)response.ReadDeviceIdCode} to a request with {(byte)code}", ModbusErrorScope.Request);
                }

                if (objects.Count + response.NumberOfObjects > MaxDeviceIdObjects)
                {
                    throw new ModbusProtocolException($"the device sent more than {MaxDeviceIdObjects} identification objects in {transactions} replies; it repeats itself", ModbusErrorScope.Request);
                }

                response.AddObjectsTo(pdu, objects);

                // Individual access has no continuation (AP §6.21: MoreFollows must be 00 there); ignore a stray FF.
                if (!response.MoreFollows || code == ModbusDeviceIdCode.Individual)
                {
                    return new ModbusDeviceIdentification(code, response.ConformityLevel, objects, transactions);
                }

                // Object ids only grow within a stream; a NextObjectId at or before the one just asked for would loop forever.
                if (response.NextObjectId <= next)
                {
                    throw new ModbusProtocolException($"the device set 'more follows' with NextObjectId 0x{response.NextObjectId:X2}, which does not advance past 0x{next:X2}", ModbusErrorScope.Request);
                }

                next = response.NextObjectId;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One transaction, retried as <see cref="ReadAsync"/> retries (timeouts, CRC errors, busy); returns the parsed reply and its length.</summary>
    private async Task<(ModbusDeviceIdResponse Response, int Length)> ExchangeDeviceIdAsync(ReadOnlyMemory<byte> request, Memory<byte> reply, CancellationToken cancellationToken)
    {
        int attempt = 0;
        bool resent = false;
        while (true)
        {
            try
            {
                int length = await SendAsync(request, reply, cancellationToken).ConfigureAwait(false);
                return (ModbusDeviceIdResponse.Parse(reply.Span[..length]), length);
            }
            catch (ModbusExceptionResponseException ex) when (ex.Code == ModbusExceptionCode.ServerDeviceBusy && ShouldRetry(ex, ref attempt, ref resent))
            {
                await Task.Delay(s_busyBackoff * attempt, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (ModbusException ex) when (ShouldRetry(ex, ref attempt, ref resent))
            {
            }
        }
    }
}
