using System.Text.Json.Nodes;
using NafNative.Environments;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated.EtherCat;
using NafNative.Hardware.Tests.Robots;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>The robot runtime (control loop, safety filter, watchdog, reach) on CiA 402 drives over EtherCAT.</summary>
[NonParallelizable]
public sealed class EcRobotTests
{
    [Test]
    public void ReachOnEtherCatDrives_ResetsHomeAndRandomPoliciesNeverExceedTheLimitOnTheWire()
    {
        using var robot = new EcRobot();
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        task.Reset(3, observation);
        Assert.That(observation[1], Is.EqualTo(0.5).Within(0.06), "the elbow went home through the drives");
        var random = new Random(11);
        var action = new float[3];
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f];
        StepResult result;
        do
        {
            for (int i = 0; i < 3; i++) action[i] = random.Next(4) == 0 ? specials[random.Next(specials.Length)] : (float)(4 * random.NextDouble() - 2);
            result = task.Step(action, observation);
        }
        while (!result.Done);
        double limitCounts = TestRobot.MaxVelocity * robot.Description.Joints[0].CountsPerRadian;
        Assert.That(robot.Drives.Select(d => (double)d.MaxTargetVelocity), Is.All.LessThanOrEqualTo(limitCounts + 1));
        Assert.That(robot.Drives.Select(d => d.MaxTargetVelocity), Is.All.GreaterThan(0));
        Assert.That(robot.Controller.Safety.Faults, Is.GreaterThan(0));
    }

    [TestCase(2)]
    [TestCase(1)]
    public void WaitForState_ReturnsTheOutcomeOfTheCommand_WithOneOrTwoLrwsPerCycle(int lrwPerCycle)
    {
        using var robot = new EcRobot(doc =>
        {
            doc["transport"]!["lrw_per_cycle"] = lrwPerCycle;
            doc["watchdog_ms"] = 1000; // not what this test is about: room for a test thread starved on a loaded machine
        });
        robot.Controller.Start();
        robot.Controller.Arm();
        var q = new double[3];
        var qd = new double[3];
        for (int i = 0; i < 5; i++) robot.Controller.WaitForState(robot.Controller.Command([0, 0, 0]), q, qd);
        Assert.That(qd[0], Is.EqualTo(0).Within(1e-9), "at rest");
        long cycles = robot.Controller.Cycles.Read().Cycles, frames = robot.Segment.FramesReceived;
        robot.Controller.WaitForState(robot.Controller.Command([0.5, 0, 0]), q, qd);
        // The state handed back was read after the command had acted (for a whole period with one LRW, for the rest
        // of the period after the write with two; the drive's 20 ms lag reaches 1 − e⁻¹ of 0.5 rad/s in 20 ms), never
        // the state from before it took effect (0).
        Assert.That(qd[0], Is.InRange(0.1, 0.5), "the shoulder's velocity answers the command");
        for (int i = 0; i < 60; i++) robot.Controller.WaitForState(robot.Controller.Command([0.5, 0, 0]), q, qd);
        // Counters sampled on two threads: a frame or two in flight either way, over 60-120 cycles.
        double perCycle = (robot.Segment.FramesReceived - frames) / (double)(robot.Controller.Cycles.Read().Cycles - cycles);
        Assert.That(perCycle, Is.EqualTo(lrwPerCycle).Within(0.25), "process-data frames per control cycle");
    }

    [Test]
    public void DriveFault_StopsTheArmNamingTheJoint()
    {
        using var robot = new EcRobot();
        var ex = RobotStops.DriveUntilStopped(robot.Controller, [0.2, 0.2, 0.2], () => robot.Drives[1].InjectFault(), before: 1, after: 100);
        Assert.That(ex.Reason, Is.EqualTo(RobotStopReason.HardwareError));
        Assert.That(ex.Message, Does.Contain("elbow (slave 1)").And.Contain("Fault"));
    }

    [Test]
    public void StalledPolicy_StopsEveryDrive()
    {
        using var robot = new EcRobot();
        robot.Controller.Start();
        robot.Controller.Arm();
        var q = new double[3];
        var qd = new double[3];
        for (int i = 0; i < 5; i++) robot.Controller.WaitForState(robot.Controller.Command([0.5, -0.5, 0.5]), q, qd);
        var ex = Assert.Throws<RobotStoppedException>(() =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(3);
            while (DateTime.UtcNow < deadline) { robot.Controller.ReadState(q, qd); Thread.Sleep(5); }
        });
        Assert.That(ex!.Reason, Is.EqualTo(RobotStopReason.Watchdog));
        Assert.That(robot.Drives.Select(d => d.State), Is.All.Not.EqualTo(NafNative.Hardware.EtherCat.Cia402State.OperationEnabled), "torque off after the hold");
    }

    [Test]
    public void LostSegment_StopsAsLinkLost()
    {
        using var robot = new EcRobot();
        var ex = RobotStops.DriveUntilStopped(robot.Controller, [0.1, 0.1, 0.1], () => robot.Segment.DropFrames(1_000_000), before: 1, after: 1000);
        Assert.That(ex.Reason, Is.EqualTo(RobotStopReason.LinkLost));
        Assert.That(ex.Message, Does.Contain("lost"));
    }

    [Test]
    public void PersistentlyCorruptedReplies_StopAsLinkLostSayingSo()
    {
        using var robot = new EcRobot();
        var ex = RobotStops.DriveUntilStopped(robot.Controller, [0.1, 0.1, 0.1], () => robot.Segment.Inject(EcFault.Parse("corrupt:1000000")), before: 1, after: 1000);
        Assert.That(ex.Reason, Is.EqualTo(RobotStopReason.LinkLost));
        Assert.That(ex.Message, Does.Contain("no intact reply").And.Contain("corrupted 3 times"));
        Assert.That(robot.Transport.Master!.CorruptFrames, Is.GreaterThanOrEqualTo(9), "3 cycles × 3 attempts, each rejected");
    }

    [Test]
    public void SlaveDropsToSafeOpError_StopsTheArmNamingTheSlave()
    {
        using var robot = new EcRobot();
        var ex = RobotStops.DriveUntilStopped(robot.Controller, [0.1, 0.1, 0.1], () => robot.Segment.Inject(EcFault.Parse("safeop-error:2")), before: 1, after: 1000);
        Assert.That(ex.Reason, Is.EqualTo(RobotStopReason.HardwareError).Or.EqualTo(RobotStopReason.LinkLost));
        Assert.That(ex.Message, Does.Contain("slave 2").Or.Contain("working counter"));
        Assert.That(robot.Segment.Slaves[2].AlStatusCode, Is.EqualTo(0x001A));
    }

    [TestCase("lost:5", EcFaultKind.LostFrames, 0, 5)]
    [TestCase("corrupt", EcFaultKind.CorruptDatagrams, 0, 1)]
    [TestCase("corrupt:4", EcFaultKind.CorruptDatagrams, 0, 4)]
    [TestCase("link-down", EcFaultKind.LinkDown, 0, 1)]
    [TestCase("safeop-error:3", EcFaultKind.SafeOpError, 3, 1)]
    [TestCase("drive-fault:1", EcFaultKind.DriveFault, 1, 1)]
    [TestCase("slave-lost:2", EcFaultKind.SlaveLost, 2, 500)]
    [TestCase("slave-lost:0:1200", EcFaultKind.SlaveLost, 0, 1200)]
    [TestCase("lost-reply", EcFaultKind.LostReplies, 0, 1)]
    [TestCase("lost-reply:3", EcFaultKind.LostReplies, 0, 3)]
    public void EcFault_Parse_ReadsTheCliForm(string text, EcFaultKind kind, int slave, int count) =>
        Assert.That(EcFault.Parse(text), Is.EqualTo(new EcFault(kind, slave, count)));

    [TestCase("drive-fault")]
    [TestCase("lost:x")]
    [TestCase("melt:1")]
    [TestCase("slave-lost")]
    [TestCase("slave-lost:1:2:3")]
    public void EcFault_ParseBadText_SaysTheForms(string text) =>
        Assert.That(Assert.Throws<FormatException>(() => EcFault.Parse(text))!.Message, Does.Contain("lost[:N], link-down"));
}
