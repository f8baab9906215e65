using System.Buffers.Binary;
using System.Diagnostics;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>Process data (one LRW per cycle) and the CiA 402 state machine against simulated drives over UDP.</summary>
[NonParallelizable]
public sealed class EcCia402Tests
{
    private const int Pd = SimulatedCia402Drive.ProcessDataBytes;

    [Test]
    public void Cia402_DecodeAndStatuswordAgree_ForEveryState()
    {
        foreach (var state in Enum.GetValues<Cia402State>().Where(s => s != Cia402State.Unknown))
            Assert.That(Cia402.Decode(Cia402.Statusword(state)), Is.EqualTo(state), state.ToString());
    }

    [Test]
    public void Drives_ReachOperationEnabledInCsv_AndFollowTheTargetVelocity()
    {
        var drives = new[] { new SimulatedCia402Drive(), new SimulatedCia402Drive() };
        using var segment = SimulatedEcSegment.ForDrives(drives);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var image = Bring(master, drives.Length);
        var states = Enable(image, drives.Length);
        Assert.That(states, Is.All.EqualTo(Cia402State.OperationEnabled));
        int start = EcProcessImage.ReadI32(image.Inputs(1), 2);
        long errorsInOp = image.WorkingCounterErrors; // the exchange before OP is short by the outputs, as SAFE-OP holds them
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMilliseconds(500))
        {
            for (int i = 0; i < drives.Length; i++) SetOutputs(image, i, Cia402.EnableOperation, velocity: i == 1 ? 2000 : 0);
            Assert.That(image.Exchange(), Is.True, "every slave exchanged process data");
            Thread.Sleep(2);
        }
        int moved = EcProcessImage.ReadI32(image.Inputs(1), 2) - start;
        Assert.That(EcProcessImage.ReadI32(image.Inputs(1), 6), Is.InRange(1900, 2100), "velocity actual follows 2000 counts/s");
        Assert.That(moved, Is.InRange(700, 1100), "≈ 2000 counts/s × 0.5 s less the lag");
        Assert.That(EcProcessImage.ReadI32(image.Inputs(0), 6), Is.Zero);
        Assert.That(image.WorkingCounterErrors, Is.EqualTo(errorsInOp), "no short working counter in OP");
    }

    [Test]
    public void DriveFault_ShowsInTheStatusword_AndAFaultResetEdgeClearsIt()
    {
        var drives = new[] { new SimulatedCia402Drive() };
        using var segment = SimulatedEcSegment.ForDrives(drives);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var image = Bring(master, 1);
        Enable(image, 1);
        drives[0].InjectFault();
        SetOutputs(image, 0, Cia402.EnableOperation, 500);
        image.Exchange();
        image.Exchange();
        Assert.That(Cia402.Decode(EcProcessImage.ReadU16(image.Inputs(0), 0)), Is.EqualTo(Cia402State.Fault));
        Assert.That(EcProcessImage.ReadI32(image.Inputs(0), 6), Is.Zero, "a faulted drive does not move");
        Assert.That(Enable(image, 1), Is.All.EqualTo(Cia402State.OperationEnabled), "fault reset (rising edge of bit 7), then enable");
    }

    [Test]
    public void ProcessDataStops_SmWatchdogDropsTheSlaveToSafeOpWithError0x001B()
    {
        var drives = new[] { new SimulatedCia402Drive() };
        using var segment = SimulatedEcSegment.ForDrives(drives);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var image = Bring(master, 1);
        Enable(image, 1);
        Thread.Sleep(300); // the master stalls
        var (state, code) = master.ReadAlStatus(EcMaster.FirstStation);
        Assert.That((byte)state & 0x0F, Is.EqualTo((byte)AlState.SafeOp));
        Assert.That((byte)state & 0x10, Is.Not.Zero, "error flag");
        Assert.That(code, Is.EqualTo(0x001B));
        Assert.That(AlStatusCodes.Describe(code), Does.Contain("watchdog"));
        Assert.That(drives[0].State, Is.Not.EqualTo(Cia402State.OperationEnabled), "the drive dropped power without valid outputs");
    }

    private static EcProcessImage Bring(EcMaster master, int slaves)
    {
        Assert.That(master.Discover(), Has.Count.EqualTo(slaves));
        var image = master.ConfigureProcessData(slaves, Pd, Pd);
        for (int i = 0; i < slaves; i++) SetOutputs(image, i, Cia402.DisableVoltage, 0);
        image.Exchange(); // valid outputs before OP, as SAFE-OP → OP requires
        for (int i = 0; i < slaves; i++) master.RequestState((ushort)(EcMaster.FirstStation + i), AlState.Op);
        return image;
    }

    // Steps every drive's state machine toward Operation enabled, one controlword per cycle.
    private static Cia402State[] Enable(EcProcessImage image, int slaves)
    {
        var control = new ushort[slaves];
        var states = new Cia402State[slaves];
        for (int cycle = 0; cycle < 20; cycle++)
        {
            image.Exchange();
            for (int i = 0; i < slaves; i++)
            {
                states[i] = Cia402.Decode(EcProcessImage.ReadU16(image.Inputs(i), 0));
                control[i] = Cia402.StepTowardEnabled(states[i], control[i]);
                SetOutputs(image, i, control[i], 0);
            }
            if (states.All(s => s == Cia402State.OperationEnabled)) break;
        }
        return states;
    }

    private static void SetOutputs(EcProcessImage image, int slave, ushort control, int velocity)
    {
        var o = image.Outputs(slave);
        BinaryPrimitives.WriteUInt16LittleEndian(o, control);
        BinaryPrimitives.WriteInt32LittleEndian(o[2..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(o[6..], velocity);
        o[10] = (byte)Cia402.CyclicSynchronousVelocity;
    }
}
