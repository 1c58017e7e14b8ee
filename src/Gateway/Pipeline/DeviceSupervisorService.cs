using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>Runs one <see cref="DeviceSupervisor"/> per configured device and completes the readings channel when all have stopped.</summary>
internal sealed class DeviceSupervisorService : BackgroundService, IDeviceOutputs
{
    private readonly ChannelWriter<Reading> _writer;
    private readonly DeviceSupervisor[] _supervisors;

    public DeviceSupervisorService(GatewayConfiguration configuration, ReadingChannel channel, ILoggerFactory loggerFactory, TimeProvider time, IDeviceStatusObserver? status = null)
    {
        _writer = channel.Writer;
        var context = new DriverContext(loggerFactory, time, configuration.Gateway.DataDirectory);
        var sink = new ReadingSink(channel.Writer);
        _supervisors = configuration.Devices
            .Select(device => new DeviceSupervisor(device, sink, context, loggerFactory.CreateLogger("SmartCity.Edge.Device." + device.Id), status))
            .ToArray();
    }

    public IReadOnlyList<DeviceSupervisor> Supervisors => _supervisors;

    public ValueTask WriteAsync(string deviceId, string tagId, TagValue value, CancellationToken cancellationToken)
    {
        foreach (DeviceSupervisor supervisor in _supervisors)
        {
            if (supervisor.DeviceId == deviceId)
            {
                return supervisor.WriteAsync(tagId, value, cancellationToken);
            }
        }

        throw new KeyNotFoundException($"no device '{deviceId}'");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Task.Run: a driver that blocks in its synchronous part must not delay the other devices.
            Task[] running = _supervisors.Select(s => Task.Run(() => s.RunAsync(stoppingToken), CancellationToken.None)).ToArray();
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        finally
        {
            _writer.TryComplete();
        }
    }
}
