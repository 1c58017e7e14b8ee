using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.Edge.Drivers;
using SmartCity.Edge.Gateway.Configuration;

namespace SmartCity.Edge.Gateway.Pipeline;

/// <summary>Runs one <see cref="DeviceSupervisor"/> per configured device and completes the readings channel when all have stopped.</summary>
internal sealed class DeviceSupervisorService : BackgroundService
{
    private readonly GatewayConfiguration _configuration;
    private readonly ReadingChannel _channel;
    private readonly DriverContext _context;
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<DeviceSupervisor> _supervisors = [];

    public DeviceSupervisorService(GatewayConfiguration configuration, ReadingChannel channel, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _configuration = configuration;
        _channel = channel;
        _loggerFactory = loggerFactory;
        _context = new DriverContext(loggerFactory, time, configuration.Gateway.DataDirectory);
    }

    public IReadOnlyList<DeviceSupervisor> Supervisors => _supervisors;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sink = new ReadingSink(_channel.Writer);
        var running = new List<Task>(_configuration.Devices.Count);
        try
        {
            foreach (DeviceConfiguration device in _configuration.Devices)
            {
                var supervisor = new DeviceSupervisor(device, sink, _context, _loggerFactory.CreateLogger("SmartCity.Edge.Device." + device.Id));
                _supervisors.Add(supervisor);

                // Task.Run: a driver that blocks in its synchronous part must not delay the other devices.
                running.Add(Task.Run(() => supervisor.RunAsync(stoppingToken), CancellationToken.None));
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
        finally
        {
            _channel.Writer.TryComplete();
        }
    }
}
