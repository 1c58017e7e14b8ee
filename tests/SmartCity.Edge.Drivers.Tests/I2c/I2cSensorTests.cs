using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SmartCity.Edge.Drivers.I2c;
using SmartCity.Edge.Drivers.Tests.Gpio;

namespace SmartCity.Edge.Drivers.Tests.I2c;

/// <summary>
/// The I2C driver reading Iot.Device.Bindings' BME280 and SHT3x bindings over fake <see cref="System.Device.I2c.I2cDevice"/>s
/// that hold the datasheets' register contents, checked against the datasheets' worked examples.
/// </summary>
public sealed class I2cSensorTests : IAsyncLifetime
{
    private static readonly DateTimeOffset s_start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(s_start);
    private readonly CollectingSink _sink = new();
    private IDeviceDriver? _driver;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_driver is not null)
        {
            await _driver.DisposeAsync();
        }
    }

    [Fact]
    public async Task Bme280_DatasheetExample_DecodesTemperatureAndPressure()
    {
        FakeBme280 sensor = DatasheetBme280();
        await ConnectAsync(sensor, """
                sensor: bme280
                tags:
                  - id: cabinet_temperature
                    quantity: temperature
                  - id: cabinet_pressure
                    quantity: pressure
            """);

        await _driver!.PollAsync(CancellationToken.None);

        // BMP280 datasheet 3.12 (same trimming scheme and formulas as the BME280): adc_T 519888 -> 25.08 °C,
        // adc_P 415148 -> 100653.27 Pa.
        Reading temperature = await _sink.NextAsync("cabinet_temperature");
        Reading pressure = await _sink.NextAsync("cabinet_pressure");
        Assert.Equal((Quality.Good, s_start), (temperature.Quality, temperature.SourceTimestamp));
        Assert.Equal(25.08, temperature.Value.AsDouble(), 2);
        Assert.Equal(1006.5327, pressure.Value.AsDouble(), 3);
    }

    [Fact]
    public async Task Bme280_Humidity_MatchesDatasheetIntegerCompensation()
    {
        FakeBme280 sensor = DatasheetBme280();
        await ConnectAsync(sensor, """
                sensor: bme280
                tags:
                  - id: cabinet_humidity
                    quantity: humidity
            """);

        await _driver!.PollAsync(CancellationToken.None);

        // The BME280 datasheet gives no numeric humidity example; its 32-bit reference formula (4.2.3), computed
        // independently of the binding's floating-point one, is the expectation (Q22.10 %RH, 1/1024 resolution).
        double expected = DatasheetHumidityInt32(adcH: HumidityRaw, tFine: 128422) / 1024.0;
        Reading humidity = await _sink.NextAsync("cabinet_humidity");
        Assert.Equal(Quality.Good, humidity.Quality);
        Assert.InRange(humidity.Value.AsDouble(), expected - 0.05, expected + 0.05);
        Assert.InRange(humidity.Value.AsDouble(), 1, 99); // a plausible, unclamped value: the test would catch a clamp
    }

    [Fact]
    public async Task Bme280_ConfiguredUnits_AreConverted()
    {
        await ConnectAsync(DatasheetBme280(), """
                sensor: bme280
                tags:
                  - id: temperature_f
                    quantity: temperature
                    unit: °F
                  - id: pressure_pa
                    quantity: pressure
                    unit: Pa
                  - id: pressure_kpa
                    quantity: pressure
                    unit: kPa
            """);

        await _driver!.PollAsync(CancellationToken.None);

        Assert.Equal(77.14, (await _sink.NextAsync("temperature_f")).Value.AsDouble(), 1);
        Assert.Equal(100653.27, (await _sink.NextAsync("pressure_pa")).Value.AsDouble(), 0);
        Assert.Equal(100.65327, (await _sink.NextAsync("pressure_kpa")).Value.AsDouble(), 4);
    }

    [Fact]
    public async Task Bme280_AddressKeys_OpenThatBusAndAddress()
    {
        var opener = new FakeI2cBusOpener(DatasheetBme280());
        await ConnectAsync(opener, """
                sensor: bme280
                bus: 3
                address: 0x77
                tags:
                  - id: t
                    quantity: temperature
            """);

        Assert.Equal((3, 0x77), opener.Opened);
    }

    [Fact]
    public async Task Bme280_WrongChipId_DeviceExceptionNamingSensorAndAddress()
    {
        FakeBme280 sensor = DatasheetBme280();
        sensor[FakeBme280.ChipIdRegister] = 0x58; // a BMP280, which has no humidity sensor

        var ex = await Assert.ThrowsAsync<DeviceException>(() => ConnectAsync(sensor, """
                sensor: bme280
                tags:
                  - id: t
                    quantity: temperature
            """));

        Assert.StartsWith("No BME280 found at address 0x76 on /dev/i2c-1: check the wiring", ex.Message);
        Assert.True(sensor.IsDisposed);
    }

    [Fact]
    public async Task Bme280_UnpluggedAfterConnect_PollThrowsDeviceException()
    {
        FakeBme280 sensor = DatasheetBme280();
        await ConnectAsync(sensor, """
                sensor: bme280
                tags:
                  - id: t
                    quantity: temperature
            """);
        sensor.Unplugged = true;

        var ex = await Assert.ThrowsAsync<DeviceException>(() => _driver!.PollAsync(CancellationToken.None).AsTask());

        Assert.StartsWith("Reading the BME280 at address 0x76 on /dev/i2c-1 failed: Error 121", ex.Message);
        await _driver!.DisposeAsync();
        Assert.True(sensor.IsDisposed);
    }

    [Fact]
    public void Sht3xCrc_DatasheetExample_0xBEEF_Is0x92()
    {
        Assert.Equal(0x92, FakeSht3x.Crc8(0xBE, 0xEF));
        Assert.Equal(0x92, Sht3xChecksumGuard.Crc8([0xBE, 0xEF]));
    }

    [Fact]
    public async Task Sht3x_Measurement_DecodedWithDatasheetConversion()
    {
        // Datasheet 4.13: T = -45 + 175 * S_T / 65535, RH = 100 * S_RH / 65535. 0x6666 = 0.4 * 65535 -> 25.0 °C;
        // 0x9999 = 0.6 * 65535 -> 60.0 %RH.
        var sensor = new FakeSht3x(rawTemperature: 0x6666, rawHumidity: 0x9999);
        await ConnectAsync(sensor, """
                sensor: sht3x
                tags:
                  - id: t
                    quantity: temperature
                  - id: rh
                    quantity: humidity
            """);

        await _driver!.PollAsync(CancellationToken.None);

        Assert.Equal(25.0, (await _sink.NextAsync("t")).Value.AsDouble(), 6);
        Assert.Equal(60.0, (await _sink.NextAsync("rh")).Value.AsDouble(), 6);
        Assert.Equal([0x30A2, 0x2400, 0x2400], sensor.Commands); // soft reset, then one high-repeatability single shot per quantity
    }

    [Fact]
    public async Task Sht3x_CorruptedMeasurement_BadQualityThenRecovers()
    {
        var sensor = new FakeSht3x(rawTemperature: 0x6666, rawHumidity: 0x9999);
        await ConnectAsync(sensor, """
                sensor: sht3x
                tags:
                  - id: t
                    quantity: temperature
            """);
        await _driver!.PollAsync(CancellationToken.None);
        Assert.Equal(Quality.Good, (await _sink.NextAsync("t")).Quality);

        sensor.RawTemperature = 0x7000;
        sensor.CorruptNextMeasurement = true;
        await _driver.PollAsync(CancellationToken.None);
        Reading corrupted = await _sink.NextAsync("t");

        // Without the guard the binding would have repeated 25.0 as a good reading.
        Assert.Equal((Quality.Bad, "checksum"), (corrupted.Quality, corrupted.Reason));
        await _driver.PollAsync(CancellationToken.None);
        Reading recovered = await _sink.NextAsync("t");
        Assert.Equal(Quality.Good, recovered.Quality);
        Assert.Equal(Math.Round(-45 + (175 * 0x7000 / 65535.0), 1), recovered.Value.AsDouble(), 6);
    }

    [Fact]
    public async Task Write_SensorTag_IsNotSupported()
    {
        await ConnectAsync(new FakeSht3x(0x6666, 0x9999), """
                sensor: sht3x
                tags:
                  - id: t
                    quantity: temperature
            """);

        await Assert.ThrowsAsync<NotSupportedException>(() => _driver!.WriteAsync("t", TagValue.FromDouble(1), CancellationToken.None).AsTask());
    }

    private const int HumidityRaw = 30000;

    /// <summary>The BMP280 datasheet's example trimming set and raw values (3.12), plus a typical humidity trimming set.</summary>
    private static FakeBme280 DatasheetBme280()
    {
        var sensor = new FakeBme280();
        sensor.SetTrimming(
            t1: 27504, t2: 26435, t3: -1000,
            p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
            h1: 75, h2: 362, h3: 0, h4: 313, h5: 50, h6: 30);
        sensor.SetRaw(adcT: 519888, adcP: 415148, adcH: HumidityRaw);
        return sensor;
    }

    /// <summary>BME280 datasheet 4.2.3, <c>bme280_compensate_H_int32</c>: relative humidity in Q22.10 %RH.</summary>
    private static long DatasheetHumidityInt32(int adcH, int tFine)
    {
        const short h1 = 75, h2 = 362, h3 = 0, h4 = 313, h5 = 50, h6 = 30;
        int v = tFine - 76800;
        v = ((((adcH << 14) - (h4 << 20) - (h5 * v)) + 16384) >> 15)
            * (((((((v * h6) >> 10) * (((v * h3) >> 11) + 32768)) >> 10) + 2097152) * h2 + 8192) >> 14);
        v -= ((((v >> 15) * (v >> 15)) >> 7) * h1) >> 4;
        v = Math.Clamp(v, 0, 419430400);
        return v >> 12;
    }

    private Task ConnectAsync(System.Device.I2c.I2cDevice sensor, string deviceYaml) => ConnectAsync(new FakeI2cBusOpener(sensor), deviceYaml);

    private async Task ConnectAsync(FakeI2cBusOpener opener, string deviceYaml)
    {
        var factory = new I2cDriverFactory(opener);
        string yaml = $"""
            devices:
              - id: cabinet_climate
                driver: i2c
            {deviceYaml}
            """;
        var (device, settings, problems) = DeviceConfig.Read(yaml, factory);
        Assert.Empty(problems);
        _driver = factory.Create(device, settings!, new DriverContext(NullLoggerFactory.Instance, _time, Path.GetTempPath()));
        _sink.Tags = device.Tags;
        await _driver.ConnectAsync(_sink, CancellationToken.None);
    }
}
