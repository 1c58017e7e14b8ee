using System.Runtime.CompilerServices;
using SmartCity.Edge.Drivers.Configuration;
using SmartCity.Edge.Drivers.Modbus;
using SmartCity.Edge.Drivers.Tests.Modbus.Peers;
using YamlDotNet.RepresentationModel;

namespace SmartCity.Edge.Drivers.Tests.Modbus;

/// <summary>Every key is validated with a message that says where, what and what is expected.</summary>
public sealed class ModbusConfigTests
{
    public static IEnumerable<object[]> ConfigCases => DeviceConfig.Cases(SourceDirectory());

    /// <summary>Configuration cases as data: <c>testcases/&lt;case&gt;/device.yaml</c> and the problems expected, with line and column.</summary>
    [Theory]
    [MemberData(nameof(ConfigCases))]
    public void ReadSettings_ConfigCase_ReportsExpectedProblems(string name)
    {
        (string[] expected, string[] actual) = DeviceConfig.RunCase(SourceDirectory(), name, new ModbusDriverFactory());

        Assert.Equal(expected, actual);
    }

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

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
