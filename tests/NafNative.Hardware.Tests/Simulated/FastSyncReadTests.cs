using System.Buffers.Binary;
using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Simulated;
using NafNative.Hardware.Tests.Dynamixel;
using CT = NafNative.Hardware.Dynamixel.ControlTable;

namespace NafNative.Hardware.Tests.Simulated;

[NonParallelizable]
public sealed class FastSyncReadTests
{
    // ROBOTIS e-manual, Fast Sync Read: IDs 3, 7, 4 with Present Position 166, 2079, 1023 (shared/HARDWARE.md §1.7).
    private const string Request = "FF FF FD 00 FE 0A 00 8A 84 00 04 00 03 07 04 20 F2";
    private const string Reply = "FF FF FD 00 FE 19 00 55 00 03 A6 00 00 00 84 08 00 07 1F 08 00 00 16 CA 00 04 FF 03 00 00 D1 9E";

    private static SimulatedDynamixelChain ChainAtEmanualPositions()
    {
        var chain = new SimulatedDynamixelChain([new SimulatedServo(3, ServoModel.Xm430W350), new SimulatedServo(7, ServoModel.Xm430W350),
            new SimulatedServo(4, ServoModel.Xm430W350)], initialPositions: [ServoModel.TicksToRadians(166), ServoModel.TicksToRadians(2079), ServoModel.TicksToRadians(1023)]);
        chain.Start();
        return chain;
    }

    [Test]
    public void Request_EncodesAsTheEmanualPacket()
    {
        var packet = new byte[32];
        int n = DynamixelPacket.WriteInstruction(packet, 0xFE, DynamixelInstruction.FastSyncRead, Hex.Bytes("84 00 04 00 03 07 04"));
        Assert.That(Hex.Of(packet.AsSpan(0, n)), Is.EqualTo(Hex.Of(Hex.Bytes(Request))));
    }

    [Test]
    public void SimulatedServos_AnswerTheEmanualRequestWithTheEmanualReply_BitForBit()
    {
        using var chain = ChainAtEmanualPositions();
        using var link = new PosixSerialLink(chain.PortPath, 1_000_000);
        link.Write(Hex.Bytes(Request));
        var buffer = new byte[64];
        int got = 0;
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (got < Hex.Bytes(Reply).Length && DateTime.UtcNow < deadline) got += link.Read(buffer.AsSpan(got), TimeSpan.FromMilliseconds(50));
        Assert.That(Hex.Of(buffer.AsSpan(0, got)), Is.EqualTo(Hex.Of(Hex.Bytes(Reply))));
    }

    [Test]
    public void Bus_FastSyncRead_GivesEveryServosDataAndErrors()
    {
        using var chain = ChainAtEmanualPositions();
        using var bus = new DynamixelBus(new PosixSerialLink(chain.PortPath, 1_000_000), new DynamixelBusOptions { Latency = TimeSpan.FromMilliseconds(15) });
        var data = new byte[12];
        var errors = new byte[3];
        bus.FastSyncRead(CT.PresentPosition, 4, [3, 7, 4], data, errors);
        int[] positions = [.. Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(4 * i)))];
        Assert.That(positions, Is.EqualTo(new[] { 166, 2079, 1023 }));
        Assert.That(errors, Is.All.Zero);
    }

    [Test]
    public void Bus_FastSyncReadWithAnAbsentServo_ThrowsNamingTheRequest()
    {
        using var chain = ChainAtEmanualPositions();
        chain.Inject(new ServoFault(ServoFaultKind.Unplug, Id: 7));
        using var bus = new DynamixelBus(new PosixSerialLink(chain.PortPath, 1_000_000), new DynamixelBusOptions { Latency = TimeSpan.FromMilliseconds(15) });
        var ex = Assert.Throws<DynamixelCommunicationException>(() => bus.FastSyncRead(CT.PresentPosition, 4, [3, 7, 4], new byte[12], new byte[3]));
        Assert.That(ex!.Instruction, Is.EqualTo(DynamixelInstruction.FastSyncRead));
    }
}
