using Microsoft.Extensions.Logging;

namespace SmartCity.Edge.Drivers.Snmp;

/// <summary>
/// Reads a device's tags: scalar OIDs many per Get (at most <c>max_oids_per_request</c>, each OID once however many tags
/// name it), walk tags with GetBulk (GetNext on v1). A Get answered tooBig is halved until it fits, and the smaller size
/// is kept for later polls (snmp-notes §2); a v1 noSuchName (or any error-status with an index) fails that OID and the
/// rest is asked again; noSuchObject/noSuchInstance fail their tag only. Connection-level failures (timeout, auth,
/// Reports) throw <see cref="SnmpException"/>.
/// </summary>
internal sealed class SnmpPoller
{
    private readonly SnmpDeviceSettings _settings;
    private readonly SnmpClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _deviceId;
    private readonly SnmpOid[] _oids;
    private readonly int[] _tagToOid;
    private int _batchSize;

    public SnmpPoller(string deviceId, SnmpDeviceSettings settings, SnmpClient client, TimeProvider time, ILogger logger)
    {
        _deviceId = deviceId;
        _settings = settings;
        _client = client;
        _time = time;
        _logger = logger;
        _batchSize = settings.MaxOidsPerRequest;
        var distinct = new Dictionary<SnmpOid, int>();
        _tagToOid = new int[settings.Tags.Count];
        for (int i = 0; i < settings.Tags.Count; i++)
        {
            SnmpTagSettings tag = settings.Tags[i];
            if (tag.Walk)
            {
                _tagToOid[i] = -1;
                continue;
            }

            if (!distinct.TryGetValue(tag.Oid, out int index))
            {
                index = distinct.Count;
                distinct.Add(tag.Oid, index);
            }

            _tagToOid[i] = index;
        }

        _oids = new SnmpOid[distinct.Count];
        foreach ((SnmpOid oid, int index) in distinct)
        {
            _oids[index] = oid;
        }
    }

    /// <summary>OIDs per Get now (lowered after tooBig).</summary>
    public int BatchSize => _batchSize;

    /// <summary>Get requests one poll of the scalars takes now.</summary>
    public int GetRequestsPerPoll => (_oids.Length + _batchSize - 1) / _batchSize;

    public async Task<SnmpPollResult> PollAsync(CancellationToken cancellationToken)
    {
        var result = new SnmpPollResult(_settings.Tags.Count);
        var byOid = new SnmpTagResult[_oids.Length];
        for (int start = 0; start < _oids.Length; start += _batchSize)
        {
            int count = Math.Min(_batchSize, _oids.Length - start);
            await GetIndexesAsync(Enumerable.Range(start, count).ToList(), byOid, cancellationToken).ConfigureAwait(false);
        }

        for (int i = 0; i < _settings.Tags.Count; i++)
        {
            SnmpTagSettings tag = _settings.Tags[i];
            if (!tag.Walk)
            {
                result.Scalars[i] = byOid[_tagToOid[i]];
                continue;
            }

            try
            {
                result.Walks[i] = await _client.WalkAsync(tag.Oid, _settings.MaxRepetitions, _settings.MaxRows, cancellationToken).ConfigureAwait(false);
            }
            catch (SnmpErrorStatusException ex)
            {
                result.WalkFailures[i] = SnmpErrorStatusException.Name(ex.Status);
            }
        }

        result.Timestamp = _time.GetUtcNow();
        result.MonotonicTimestamp = _time.GetTimestamp();
        return result;
    }

    /// <summary>Gets the OIDs at <paramref name="pending"/> (indexes into the distinct OIDs) into <paramref name="byOid"/>.</summary>
    private async Task GetIndexesAsync(List<int> pending, SnmpTagResult[] byOid, CancellationToken cancellationToken)
    {
        while (pending.Count > 0)
        {
            var asked = new SnmpOid[pending.Count];
            for (int i = 0; i < asked.Length; i++)
            {
                asked[i] = _oids[pending[i]];
            }
            SnmpPdu reply = await _client.GetAsync(asked, cancellationToken).ConfigureAwait(false);
            var status = (SnmpErrorStatus)reply.ErrorStatus;
            if (status == SnmpErrorStatus.NoError)
            {
                if (reply.VarBinds.Count != asked.Length)
                {
                    throw new SnmpException($"the agent answered {reply.VarBinds.Count} varbinds to a Get of {asked.Length}", "protocol");
                }

                for (int i = 0; i < pending.Count; i++)
                {
                    byOid[pending[i]] = reply.VarBinds[i].Oid == asked[i]
                        ? SnmpTagResult.Of(reply.VarBinds[i].Value)
                        : SnmpTagResult.Failed($"the agent answered for {reply.VarBinds[i].Oid} instead");
                }

                return;
            }

            if (status == SnmpErrorStatus.TooBig)
            {
                if (pending.Count == 1)
                {
                    byOid[pending[0]] = SnmpTagResult.Failed("tooBig (1): the value does not fit one message");
                    return;
                }

                // RFC 3416 §4.2.1: the reply would not fit; ask for halves, and ask fewer at once from now on.
                int half = pending.Count / 2;
                if (half < _batchSize)
                {
                    _batchSize = Math.Max(1, half);
                    Log.BatchReduced(_logger, _deviceId, _batchSize);
                }

                var right = pending.Skip(half).ToList();
                await GetIndexesAsync(pending.Take(half).ToList(), byOid, cancellationToken).ConfigureAwait(false);
                await GetIndexesAsync(right, byOid, cancellationToken).ConfigureAwait(false);
                return;
            }

            string reason = SnmpErrorStatusException.Name(status);
            if (reply.ErrorIndex >= 1 && reply.ErrorIndex <= pending.Count)
            {
                // The agent names the culprit (v1 noSuchName, or a v1 Counter64): fail it and ask again for the others.
                int culprit = reply.ErrorIndex - 1;
                byOid[pending[culprit]] = SnmpTagResult.Failed(reason);
                pending.RemoveAt(culprit);
                continue;
            }

            foreach (int index in pending)
            {
                byOid[index] = SnmpTagResult.Failed(reason);
            }

            return;
        }
    }
}
