using NafNative.Hardware.Dynamixel;
using NafNative.Hardware.Simulated;

namespace NafNative.Hardware.Tests.Simulated;

/// <summary>A simulated chain on a fresh pty and a bus on its slave side through System.IO.Ports; removed on dispose.</summary>
internal sealed class ChainFixture : IDisposable
{
    public ChainFixture(params (byte Id, ServoModel Model)[] servos) : this(true, servos) { }

    // posix: the termios link (the default driver) or System.IO.Ports.
    public ChainFixture(bool posix, params (byte Id, ServoModel Model)[] servos)
    {
        Chain = new SimulatedDynamixelChain(servos.Select(s => new SimulatedServo(s.Id, s.Model)).ToArray());
        Chain.Start();
        Link = posix ? new PosixSerialLink(Chain.PortPath, 1_000_000) : new SerialPortLink(Chain.PortPath, 1_000_000);
        Bus = new DynamixelBus(Link, new DynamixelBusOptions { Latency = TimeSpan.FromMilliseconds(15), Retries = 2 });
    }

    public SimulatedDynamixelChain Chain { get; }
    public ISerialLink Link { get; }
    public DynamixelBus Bus { get; }

    public void Dispose()
    {
        Bus.Dispose();
        Chain.Dispose();
        Assert.That(Chain.Failure, Is.Null, "the simulated chain's loop failed");
    }
}
