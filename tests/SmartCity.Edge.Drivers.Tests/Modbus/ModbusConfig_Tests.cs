using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.Tests.Modbus.Peers;
using YamlDotNet.RepresentationModel;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>Every key is validated with a message that says where, what and what is expected.</summary>
public sealed class ModbusConfig_Tests
{
    [Theory]
    [InlineData("driver: modbus-tcp\nunit_id: 1\n", "host", "is required")]
    [InlineData("driver: modbus-tcp\nhost: h\n", "unit_id", "is required")]
    [InlineData("driver: modbus-tcp\nhost: h\nunit_id: 256\n", "unit_id", "out of range")]
    [InlineData("driver: modbus-tcp\nhost: h\nport: 0\nunit_id: 1\n", "port", "out of range")]
    [InlineData("driver: modbus-rtu\nport: /dev/ttyUSB0\nunit_id: 0\n", "unit_id", "out of range")]
    [InlineData("driver: modbus-rtu\nport: /dev/ttyUSB0\nunit_id: 1\nparity: evn\n", "parity", "did you mean 'even'")]
    [InlineData("driver: modbus-rtu\nport: /dev/ttyUSB0\nunit_id: 1\nstop_bits: 3\n", "stop_bits", "not one of")]
    [InlineData("driver: modbus-rtu\nport: /dev/ttyUSB0\nunit_id: 1\nbaudrate: 9600\n", "baudrate", "unknown key")]
    [InlineData("driver: modbus-rtu\nport: /dev/ttyUSB0\nunit_id: 1\nmax_inflight: 4\n", "max_inflight", "only modbus-tcp")]
    [InlineData("driver: modbus-tcp\nhost: h\nunit_id: 1\ntimeout: 5\n", "timeout", "not a duration")]
    [InlineData("driver: modbus-tcp\nhost: h\nunit_id: 1\nmax_block: 126\n", "max_block", "out of range")]
    public void ReadSettings_BadDeviceKey_ReportsIt(string device, string key, string expected) =>
        AssertProblem("id: dev\n" + device + "tags:\n  - { id: t, address: \"holding:0\" }\n", key, expected);

    [Theory]
    [InlineData("{ id: t }", "address", "is required")]
    [InlineData("{ id: t, address: \"holdng:1\" }", "address", "did you mean 'holding'")]
    [InlineData("{ id: t, address: \"40001\" }", "address", "TABLE:OFFSET")]
    [InlineData("{ id: t, address: \"coil:1\", type: float32 }", "type", "is a bool")]
    [InlineData("{ id: t, address: \"holding:1.3\", type: int16 }", "type", "is a bool")]
    [InlineData("{ id: t, address: \"holding:1\", type: float }", "type", "not a type")]
    [InlineData("{ id: t, address: \"holding:1\", type: string(300) }", "type", "1..250")]
    [InlineData("{ id: t, address: \"holding:65535\", type: int32 }", "address", "past register 65535")]
    [InlineData("{ id: t, address: \"holding:1\", type: float32, order: ADBC }", "order", "not one of")]
    [InlineData("{ id: t, address: \"holding:1\", scale: 0 }", "scale", "every reading 0")]
    [InlineData("{ id: t, address: \"holding:1\", type: string(4), scale: 2 }", "scale", "apply to numbers")]
    [InlineData("{ id: t, address: \"holding:1\", type: float64 }\n    # max_block 2 below", "type", "more than max_block")]
    public void ReadSettings_BadTagKey_ReportsIt(string tag, string key, string expected) =>
        AssertProblem("id: dev\ndriver: modbus-tcp\nhost: h\nunit_id: 1\nmax_block: 2\ntags:\n  - " + tag + "\n", key, expected);

    [Fact]
    public void ReadSettings_SampleYaml_EveryDeviceIsValid()
    {
        string text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "Drivers", "Modbus", "sample.yaml"));
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var devices = (YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("devices")];
        var factory = new ModbusDriverFactory();
        foreach (YamlNode node in devices)
        {
            var serializer = new YamlStream(new YamlDocument(node));
            using var writer = new StringWriter();
            serializer.Save(writer, assignAnchors: false);
            (_, _, ConfigProblems problems) = ModbusTestDevice.TryRead(factory, writer.ToString().Replace("...", string.Empty, StringComparison.Ordinal));
            Assert.False(problems.HasAny, string.Join("; ", problems.All.Select(p => $"{p.Path}: {p.Message}")));
        }

        Assert.Equal(3, devices.Children.Count);
    }

    [Fact]
    public void ReadSettings_Defaults_AreTheDocumentedOnes()
    {
        (_, ModbusDeviceSettings settings) = ModbusTestDevice.Read(new ModbusDriverFactory(), "id: d\ndriver: modbus-rtu\nport: /dev/ttyS0\nunit_id: 3\ntags:\n  - { id: t, address: \"input:4\" }\n");
        Assert.Equal(new ModbusSerialOptions("/dev/ttyS0", 9600, System.IO.Ports.Parity.Even, 8, System.IO.Ports.StopBits.One), settings.Link.Serial);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.Timeout);
        Assert.Equal((1, 125, 10, 1), (settings.Retries, settings.MaxBlock, settings.MaxGap, settings.MaxInflight));
        Assert.Equal(new ModbusTagType(ModbusDataType.UInt16), settings.Tags[0].Type);
        Assert.Equal(ModbusByteOrder.ABCD, settings.Tags[0].Order);

        // t3.5 at 9600 baud with 11-bit characters is 4.01 ms (SL §2.5.1.1); above 19200 it is fixed at 1.75 ms.
        Assert.Equal(4.01, settings.Link.Serial!.FrameGap.TotalMilliseconds, 2);
        Assert.Equal(1.75, (settings.Link.Serial with { BaudRate = 115200 }).FrameGap.TotalMilliseconds, 3);
    }

    private static void AssertProblem(string yaml, string key, string expected)
    {
        (_, _, ConfigProblems problems) = ModbusTestDevice.TryRead(new ModbusDriverFactory(), yaml);
        Assert.Contains(problems.All, p => p.Path.EndsWith(key, StringComparison.Ordinal) && p.Message.Contains(expected, StringComparison.Ordinal));
        Assert.All(problems.All, p => Assert.True(p.Location.Line > 0));
    }
}
