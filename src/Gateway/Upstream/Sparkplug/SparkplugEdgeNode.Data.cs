using SmartCity.Edge.Gateway.Buffer;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Input;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Node;
using SmartCity.Edge.Gateway.Upstream.Sparkplug.Session;

namespace SmartCity.Edge.Gateway.Upstream.Sparkplug;

/// <summary>
/// The data facet: the cursors over the record source, live DATA, the replay of history, and the delivery check
/// that moves the acknowledged cursors.
/// </summary>
/// <remarks>
/// Cursors, all record seqs: <c>_observed*</c> is how far records were read into the current-value tables (and, while
/// born, published live); <c>_replay*</c> is how far history has been published; <c>_historyEnd*</c> is where
/// history ends and live begins for this connection; <c>_ack*</c> is how far the broker provably has everything.
/// </remarks>
internal sealed partial class SparkplugEdgeNode
{
    private const int AlarmsPerRound = 100;

    private long _observedFrames;
    private long _observedAlarms;
    private long _replayFrames;
    private long _replayAlarms;
    private long _historyEndFrames;
    private long _historyEndAlarms;
    private long _ackFrames;
    private long _ackAlarms;
    private bool _unconfirmed;
    private bool _replaying;
    private DateTimeOffset _replayDueAt;
    private long _replayedMetrics;
    private long _skippedReadings;

    /// <summary>
    /// Without births (disconnected, waiting for the host): reads records into the current-value tables, so that the
    /// births carry the latest values. True when caught up with <paramref name="head"/>.
    /// </summary>
    private async Task<bool> ObserveAsync(long head, CancellationToken cancellationToken)
    {
        _alarmRecords.Clear();
        await _source.ReadAlarmsAsync(_observedAlarms, head, AlarmsPerRound, _alarmRecords, cancellationToken).ConfigureAwait(false);
        foreach (SparkplugAlarmRecord record in _alarmRecords)
        {
            AlarmFor(record.AlarmId).Last = record;
            _observedAlarms = record.Seq;
        }

        _frames.Clear();
        await _source.ReadFramesAsync(_observedFrames, head, _options.LiveFramesPerRound, _frames, cancellationToken).ConfigureAwait(false);
        foreach (SparkplugDeviceFrame frame in _frames)
        {
            if (!frame.Points.IsEmpty)
            {
                DeviceFor(frame).Apply(frame);
            }

            _observedFrames = frame.LastSeq;
        }

        return _alarmRecords.Count < AlarmsPerRound && _frames.Count < _options.LiveFramesPerRound;
    }

    /// <summary>Fixes the history window of a new connection: from the acknowledged cursors to what is committed now.</summary>
    private void StartReplay()
    {
        _replayFrames = _ackFrames;
        _replayAlarms = _ackAlarms;
        _historyEndFrames = _observedFrames;
        _historyEndAlarms = _observedAlarms;
        _replayDueAt = _time.GetUtcNow();
        _replaying = _replayFrames < _historyEndFrames || _replayAlarms < _historyEndAlarms;
        _replayedMetrics = 0;
        _skippedReadings = 0;
        if (_replaying)
        {
            SparkplugLog.ReplayStarting(_logger, _replayFrames + 1, _historyEndFrames, _replayAlarms + 1, _historyEndAlarms);
        }
    }

    /// <summary>
    /// One round while born: live alarms, live frames, then (only when no live record waits) a paced slice of history,
    /// then the delivery check. Returns how long to wait before the next round: zero when more is waiting now, the
    /// time until the next slice of history is due, or null when there is nothing left to do.
    /// </summary>
    private async Task<TimeSpan?> PublishAsync(long head, CancellationToken cancellationToken)
    {
        SparkplugMqttSession session = _session!;
        bool liveWaiting = await PublishLiveAlarmsAsync(session, head, cancellationToken).ConfigureAwait(false);
        if (_state != SparkplugSessionState.Born)
        {
            return TimeSpan.Zero;
        }

        _frames.Clear();
        await _source.ReadFramesAsync(_observedFrames, head, _options.LiveFramesPerRound, _frames, cancellationToken).ConfigureAwait(false);
        foreach (SparkplugDeviceFrame frame in _frames)
        {
            await PublishLiveFrameAsync(session, frame, cancellationToken).ConfigureAwait(false);
            _observedFrames = frame.LastSeq;
        }

        liveWaiting |= _frames.Count == _options.LiveFramesPerRound;
        TimeSpan? next = null;
        if (liveWaiting)
        {
            next = TimeSpan.Zero;
        }
        else if (_replaying)
        {
            next = await ReplayAsync(session, cancellationToken).ConfigureAwait(false);
        }

        await ConfirmAsync(session, cancellationToken).ConfigureAwait(false);
        return next;
    }

    private async Task<bool> PublishLiveAlarmsAsync(SparkplugMqttSession session, long head, CancellationToken cancellationToken)
    {
        _alarmRecords.Clear();
        await _source.ReadAlarmsAsync(_observedAlarms, head, AlarmsPerRound, _alarmRecords, cancellationToken).ConfigureAwait(false);
        bool rebirth = false;
        foreach (SparkplugAlarmRecord record in _alarmRecords)
        {
            SparkplugAlarmState alarm = AlarmFor(record.AlarmId);
            alarm.Last = record;
            _observedAlarms = record.Seq;
            if (!alarm.Born)
            {
                // A metric the NBIRTH did not list (an alarm a device reported on its own): the node's metric set
                // changed, which only a new NBIRTH can announce (§5.11); it carries this transition as the current state.
                rebirth = true;
                continue;
            }

            _encoder.BeginData(_sequence.Next(), NowMilliseconds());
            _encoder.AddAlarm(alarm, record, historical: false);
            await PublishAsync(session, _topics.NData, _encoder.FinishData(), cancellationToken).ConfigureAwait(false);
        }

        if (rebirth)
        {
            SparkplugLog.RebirthRequested(_logger, "a new alarm");
            await PublishBirthsAsync(newConnection: false, "new alarm metrics", cancellationToken).ConfigureAwait(false);
        }

        return _alarmRecords.Count == AlarmsPerRound;
    }

    /// <summary>A live frame: DDEATH when the device was lost, DBIRTH when it is (back) up or its tags changed, else DDATA.</summary>
    private async Task PublishLiveFrameAsync(SparkplugMqttSession session, SparkplugDeviceFrame frame, CancellationToken cancellationToken)
    {
        if (frame.Points.IsEmpty)
        {
            return; // nothing to say (a damaged frame the source could not decode)
        }

        SparkplugDeviceState device = DeviceFor(frame);
        device.Apply(frame);
        if (frame.DeviceOffline)
        {
            if (device.Born)
            {
                // §5.7: the host marks the device's metrics stale from the DDEATH's timestamp; no DDATA until it is back.
                await PublishAsync(session, _topics.DDeath(device.DeviceId), _encoder.DDeath(_sequence.Next(), NowMilliseconds()), cancellationToken).ConfigureAwait(false);
                device.Born = false;
            }

            return;
        }

        if (!device.Born)
        {
            // The DBIRTH carries this frame's values: no DDATA for it.
            await PublishDeviceBirthAsync(session, device, cancellationToken).ConfigureAwait(false);
            return;
        }

        await PublishPointsAsync(session, device, frame, sameTable: true, historical: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A frame's readings as DDATA by alias, split at <see cref="SparkplugEdgeNodeOptions.MaxMetricsPerMessage"/>.
    /// A historical frame read with an older tag table is mapped to the current one by tag id; tags that left the
    /// configuration are not in the births and are skipped. Returns the metrics sent.
    /// </summary>
    private async Task<int> PublishPointsAsync(SparkplugMqttSession session, SparkplugDeviceState device, SparkplugDeviceFrame frame, bool sameTable, bool historical, CancellationToken cancellationToken)
    {
        int sent = 0;
        ReadOnlyMemory<SparkplugPoint> points = frame.Points;
        string topic = _topics.DData(device.DeviceId);
        for (int i = 0; i < points.Length; i++)
        {
            SparkplugPoint point = points.Span[i];
            int index = sameTable ? point.TagIndex : (uint)point.TagIndex < (uint)frame.Tags.Count ? device.Tags.IndexOf(frame.Tags[point.TagIndex].Id) : -1;
            if ((uint)index >= (uint)device.Tags.Count)
            {
                _skippedReadings++;
                continue;
            }

            if (sent % _options.MaxMetricsPerMessage == 0)
            {
                if (sent > 0)
                {
                    await PublishAsync(session, topic, _encoder.FinishData(), cancellationToken).ConfigureAwait(false);
                }

                // The seq is taken with the first metric: a frame with nothing to send takes none (a gap makes hosts rebirth).
                _encoder.BeginData(_sequence.Next(), NowMilliseconds());
            }

            _encoder.AddPoint(device, index, point, historical);
            sent++;
        }

        if (sent > 0)
        {
            await PublishAsync(session, topic, _encoder.FinishData(), cancellationToken).ConfigureAwait(false);
        }

        return sent;
    }

    /// <summary>
    /// A slice of history, paced at <see cref="SparkplugEdgeNodeOptions.ReplayMetricsPerSecond"/>: alarms first (few,
    /// unpaced), then frames as DDATA with <c>is_historical</c> and their original timestamps, oldest first. Readings
    /// of a device that has no birth in this session (offline now) cannot be sent: Sparkplug has no DDATA without a
    /// DBIRTH. They are counted and skipped. Returns when the next slice is due, or null when history is done.
    /// </summary>
    private async Task<TimeSpan?> ReplayAsync(SparkplugMqttSession session, CancellationToken cancellationToken)
    {
        if (_replayAlarms < _historyEndAlarms)
        {
            _alarmRecords.Clear();
            await _source.ReadAlarmsAsync(_replayAlarms, _historyEndAlarms, AlarmsPerRound, _alarmRecords, cancellationToken).ConfigureAwait(false);
            foreach (SparkplugAlarmRecord record in _alarmRecords)
            {
                SparkplugAlarmState alarm = AlarmFor(record.AlarmId);
                if (alarm.Born)
                {
                    _encoder.BeginData(_sequence.Next(), NowMilliseconds());
                    _encoder.AddAlarm(alarm, record, historical: true);
                    await PublishAsync(session, _topics.NData, _encoder.FinishData(), cancellationToken).ConfigureAwait(false);
                    _replayedMetrics += SparkplugAliasTable.AlarmMetricCount;
                }

                _replayAlarms = record.Seq;
            }

            if (_alarmRecords.Count == 0)
            {
                _replayAlarms = _historyEndAlarms;
            }

            return TimeSpan.Zero;
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (_replayFrames < _historyEndFrames)
        {
            if (now < _replayDueAt)
            {
                return _replayDueAt - now;
            }

            _frames.Clear();
            await _source.ReadFramesAsync(_replayFrames, _historyEndFrames, _options.ReplayFramesPerRound, _frames, cancellationToken).ConfigureAwait(false);
            int metrics = 0;
            foreach (SparkplugDeviceFrame frame in _frames)
            {
                if (_devices.TryGetValue(frame.DeviceId, out SparkplugDeviceState? device) && device.Born)
                {
                    metrics += await PublishPointsAsync(session, device, frame, sameTable: ReferenceEquals(frame.Tags, device.Tags), historical: true, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    _skippedReadings += frame.Points.Length;
                }

                _replayFrames = frame.LastSeq;
            }

            if (_frames.Count == 0)
            {
                _replayFrames = _historyEndFrames;
            }

            _replayedMetrics += metrics;
            HistoricalMetrics += metrics;
            _replayDueAt = now + TimeSpan.FromSeconds(metrics / _options.ReplayMetricsPerSecond);
            if (_replayFrames < _historyEndFrames)
            {
                return _replayDueAt - now;
            }
        }

        _replaying = false;
        SkippedHistoricalReadings += _skippedReadings;
        SparkplugLog.ReplayFinished(_logger, _replayedMetrics, _skippedReadings);
        return TimeSpan.Zero;
    }

    /// <summary>
    /// The delivery check after a round of publishes; then the acknowledged cursors move to where the published
    /// records end. While history is being replayed the telemetry cursor follows the replay (records are deleted in seq
    /// order), so live records already at the broker are acknowledged once history has caught up.
    /// </summary>
    private async Task ConfirmAsync(SparkplugMqttSession session, CancellationToken cancellationToken)
    {
        long frames = _replayFrames < _historyEndFrames ? _replayFrames : _observedFrames;
        long alarms = _replayAlarms < _historyEndAlarms ? _replayAlarms : _observedAlarms;
        if (frames <= _ackFrames && alarms <= _ackAlarms)
        {
            return;
        }

        if (_unconfirmed)
        {
            await session.ConfirmDeliveryAsync(cancellationToken).ConfigureAwait(false);
            _unconfirmed = false;
        }

        if (frames > _ackFrames)
        {
            Interlocked.Exchange(ref _ackFrames, frames);
            await _source.AcknowledgeAsync(RecordKind.Telemetry, frames, cancellationToken).ConfigureAwait(false);
        }

        if (alarms > _ackAlarms)
        {
            Interlocked.Exchange(ref _ackAlarms, alarms);
            await _source.AcknowledgeAsync(RecordKind.Alarm, alarms, cancellationToken).ConfigureAwait(false);
        }

        SparkplugLog.Acknowledged(_logger, _ackFrames, _ackAlarms);
    }
}
