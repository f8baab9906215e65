using NafNative.Environments;
using NafNative.Hardware.EtherCat;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated.EtherCat;

namespace NafNative.Hardware.Tests.EtherCat;

/// <summary>Recovery of slaves that dropped out of OP: only after the stop path has stopped the arm, between episodes.</summary>
[NonParallelizable]
public sealed class EcRecoveryTests
{
    // The policy watchdog is not what these tests are about: 1 s leaves room for a test thread starved on a loaded
    // machine (100 ms tripped during a reset motion while CI built the next test project).
    private static void Recovering(System.Text.Json.Nodes.JsonObject doc)
    {
        doc["recover_between_episodes"] = true;
        doc["watchdog_ms"] = 1000;
    }

    [Test]
    public void SafeOpErrorMidEpisode_StopsTheArmFirst_ThenTheNextResetRecoversAndTheArmMovesAgain()
    {
        using var robot = new EcRobot(Recovering);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        task.Reset(1, observation);
        float[] action = [0.5f, 0, 0];
        StepResult result = StepUntilTheFaultStopsTheArm(robot, task, observation, action, "safeop-error:1");
        Assert.That(result.Discard, Is.True, "the interrupted step is not an outcome of its action");
        var stop = robot.Controller.StopError;
        Assert.That(stop, Is.Not.Null, "the safety stop happened before any recovery");
        Assert.That(stop!.Reason, Is.EqualTo(RobotStopReason.LinkLost).Or.EqualTo(RobotStopReason.HardwareError));
        Assert.That(robot.Drives.Select(d => d.State), Is.All.Not.EqualTo(Cia402State.OperationEnabled), "torque off before recovery");
        Assert.That(robot.Segment.Slaves[1].ErrorFlag, Is.True);

        task.Reset(2, observation);
        Assert.That(robot.Controller.Recoveries, Is.EqualTo(1));
        Assert.That(robot.Transport.LastRecovery, Does.Contain("slave 1: SafeOp+ERROR (synchronization error, 0x001A) acknowledged").And.Contain("back in OP"));
        Assert.That(robot.Segment.Slaves.Select(s => (s.State, s.ErrorFlag)), Is.All.EqualTo((AlState.Op, false)));
        Assert.That(robot.Drives.Select(d => d.State), Is.All.EqualTo(Cia402State.OperationEnabled));
        AssertTheShoulderFollowsCommandsAgain(task, observation, action);
    }

    [Test]
    public void SafeOpErrorDuringTheResetMotion_IsRecovered_AndTheEpisodeStartsAtHome()
    {
        using var robot = new EcRobot(Recovering);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        robot.Segment.Inject(EcFault.Parse("safeop-error:0")); // while the arm starts its way home
        task.Reset(1, observation);
        Assert.That(robot.Controller.Recoveries, Is.EqualTo(1));
        Assert.That(robot.Transport.LastRecovery, Does.Contain("slave 0: SafeOp+ERROR"));
        Assert.That(observation[1], Is.EqualTo(0.5).Within(0.06), "the elbow reached home after the recovery");
    }

    [Test]
    public void DriveFault_IsNotResetByRecovery_TheRunStopsNamingTheErrorCode()
    {
        using var robot = new EcRobot(Recovering);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        task.Reset(1, observation);
        robot.Segment.Inject(EcFault.Parse("drive-fault:2"));
        StepResult result;
        int steps = 0;
        do result = task.Step([0.1f, 0.1f, 0.1f], observation);
        while (!result.Done && ++steps < 200);
        Assert.That(result.Discard, Is.True);
        var ex = Assert.Throws<RobotStoppedException>(() => task.Reset(2, observation));
        Assert.That(ex!.Message, Does.Contain("recovery between episodes failed").And.Contain("wrist (slave 2) is in Fault, error code 0x2310"));
        Assert.That(robot.Drives[2].State, Is.EqualTo(Cia402State.Fault));
    }

    [Test]
    public void TryRecover_WhileTheLoopRuns_DoesNothing()
    {
        using var robot = new EcRobot();
        robot.Controller.Start();
        Assert.That(robot.Controller.TryRecover(out string report), Is.False);
        Assert.That(report, Does.Contain("running"));
    }

    [Test]
    public void SmWatchdog_MasterStoppedCycling_EverySlaveIsAcknowledgedAndBackInOp()
    {
        using var robot = new EcRobot();
        var transport = robot.Transport;
        transport.Connect();
        transport.Enable(TimeSpan.FromMilliseconds(100));
        Thread.Sleep(400); // no process data: every SM watchdog (100 ms) trips
        Assert.That(robot.Segment.Slaves.Select(s => (s.State, s.ErrorFlag, s.AlStatusCode)), Is.All.EqualTo((AlState.SafeOp, true, (ushort)0x001B)));
        Assert.That(transport.TryRecover(), Is.True, transport.LastFault);
        for (int s = 0; s < 3; s++) Assert.That(transport.LastRecovery, Does.Contain($"slave {s}: SafeOp+ERROR (sync manager watchdog (process data stopped), 0x001B) acknowledged"));
        transport.Enable(TimeSpan.FromMilliseconds(100));
        var q = new double[3];
        var qd = new double[3];
        Assert.That(transport.Read(q, qd), Is.EqualTo(JointReadOutcome.Ok));
    }

    [TestCase(1, TestName = "SlaveLost_Slave1_RecoveryWaitsForIt_FindsIt_ConfiguresItAgain_WithNothingCommandedMeanwhile")]
    [TestCase(0, TestName = "SlaveLost_Slave0_WholeSegmentSilent_RecoveryWaitsForIt_FindsIt_ConfiguresItAgain")]
    public void SlaveLost_RecoveryWaitsForItFindsItAndConfiguresItAgain(int lost)
    {
        using var robot = new EcRobot();
        var transport = robot.Transport;
        transport.Connect();
        transport.Enable(TimeSpan.FromMilliseconds(100));
        var q = new double[3];
        var qd = new double[3];
        Assert.That(transport.Read(q, qd), Is.EqualTo(JointReadOutcome.Ok));
        robot.Segment.Inject(EcFault.Parse($"slave-lost:{lost}:400"));
        // Detected by the working counter (or, with slave 0 gone, by every frame being lost), as the control loop sees it.
        var outcome = JointReadOutcome.Ok;
        for (int i = 0; i < 50 && outcome == JointReadOutcome.Ok; i++) { outcome = transport.Read(q, qd); Thread.Sleep(2); }
        Assert.That(outcome, Is.EqualTo(JointReadOutcome.NoReply), transport.LastFault);
        transport.DisableTorque(); // what the stop path does before any recovery
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.That(transport.TryRecover(), Is.True, transport.LastFault);
        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromMilliseconds(250)), "it waited for the slave to be back");
        Assert.That(robot.Drives[lost].PowerCycles, Is.EqualTo(1));
        Assert.That(transport.LastRecovery, Does.Contain($"slave {lost}: lost, found again at position {lost}").And.Contain("identity checked")
            .And.Contain($"slave {lost}: configured again from Init"));
        for (int s = lost + 1; s < 3; s++)
            Assert.That(transport.LastRecovery, Does.Contain($"slave {s}: SafeOp+ERROR (sync manager watchdog (process data stopped), 0x001B) acknowledged"), "cut off behind it, its SM watchdog tripped");
        Assert.That(robot.Segment.Slaves.Select(e => (e.State, e.ErrorFlag, e.StationAddress)), Is.EqualTo(new[] { (AlState.Op, false, (ushort)0x1001), (AlState.Op, false, (ushort)0x1002), (AlState.Op, false, (ushort)0x1003) }));
        Assert.That(robot.Drives.Select(d => d.State), Is.All.Not.EqualTo(Cia402State.OperationEnabled), "recovery moves nothing: the drives are still off");
        transport.Enable(TimeSpan.FromMilliseconds(100));
        Assert.That(transport.Read(q, qd), Is.EqualTo(JointReadOutcome.Ok));
        Assert.That(robot.Drives[lost].Mode, Is.EqualTo(Cia402.CyclicSynchronousVelocity), "modes of operation set again after its power cycle");
    }

    [Test]
    public void SlaveLostLongerThanTheWait_RecoveryFailsNamingIt_AndSucceedsOnceItIsBack()
    {
        using var robot = new EcRobot(doc => doc["transport"]!["lost_slave_wait_ms"] = 200);
        var transport = robot.Transport;
        transport.Connect();
        transport.Enable(TimeSpan.FromMilliseconds(100));
        robot.Segment.Inject(EcFault.Parse("slave-lost:2:1500"));
        Thread.Sleep(50);
        Assert.That(transport.TryRecover(), Is.False);
        Assert.That(transport.LastFault, Does.Contain("slave 2 (0x1003, \"NafNative CiA402 drive\") does not answer at its address or at its position")
            .And.Contain("lost_slave_wait_ms 200").And.Contain("check its power and the cable"));
        Thread.Sleep(1600);
        Assert.That(transport.TryRecover(), Is.True, transport.LastFault);
        Assert.That(transport.LastRecovery, Does.Contain("slave 2: lost, found again"));
    }

    [Test]
    public void SlaveLostMidEpisode_TheArmStops_TheNextResetFindsItAgain_AndTheArmMovesAgain()
    {
        using var robot = new EcRobot(Recovering);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        task.Reset(1, observation);
        float[] action = [0.5f, 0, 0];
        StepResult result = StepUntilTheFaultStopsTheArm(robot, task, observation, action, "slave-lost:1:300");
        Assert.That(result.Discard, Is.True);
        Assert.That(robot.Controller.StopError?.Reason, Is.EqualTo(RobotStopReason.LinkLost), "the working counter fell short: the safety path stopped the arm first");
        Assert.That(robot.Drives.Select(d => d.State), Is.All.Not.EqualTo(Cia402State.OperationEnabled), "torque off before recovery");
        task.Reset(2, observation);
        Assert.That(robot.Controller.Recoveries, Is.EqualTo(1));
        Assert.That(robot.Transport.LastRecovery, Does.Contain("slave 1: lost, found again").And.Contain("slave 1: configured again from Init").And.Contain("back in OP"));
        Assert.That(robot.Drives.Select(d => d.State), Is.All.EqualTo(Cia402State.OperationEnabled));
        AssertTheShoulderFollowsCommandsAgain(task, observation, action);
    }

    [Test]
    public void Readdress_AnotherDeviceAtThePosition_IsRefusedNamingBoth_AndLeftWithoutAnAddress()
    {
        using var segment = new SimulatedEcSegment([new SimulatedEsc(1, 2, 3, 10, "a", 0, 0), new SimulatedEsc(1, 2, 3, 11, "b", 0, 0)]);
        using var master = new EcMaster(new UdpEcLink(segment.EndPoint));
        var found = master.Discover();
        segment.Inject(EcFault.Parse("slave-lost:1:0"));
        master.CountSlaves(); // lets the segment apply the fault
        Assert.That(master.Answers(0x1002), Is.False, "power-cycled: it lost its address");
        Assert.That(master.StationAt(1), Is.EqualTo((ushort)0));
        var ex = Assert.Throws<EtherCatException>(() => master.Readdress(found[1] with { Serial = 99 }));
        Assert.That(ex!.Message, Does.Contain("position 1 is vendor 0x00000001 product 0x00000002 revision 0x00000003 serial 11").And.Contain("serial 99"));
        Assert.That(master.StationAt(1), Is.EqualTo((ushort)0));
        master.Readdress(found[1]);
        Assert.That(master.Answers(0x1002), Is.True);
    }

    /// <summary>Three healthy steps, then <paramref name="fault"/>, then steps until the episode ends (at most 200).</summary>
    private static StepResult StepUntilTheFaultStopsTheArm(EcRobot robot, RobotReachTask task, float[] observation, float[] action, string fault)
    {
        for (int i = 0; i < 3; i++) Assert.That(task.Step(action, observation).Done, Is.False);
        robot.Segment.Inject(EcFault.Parse(fault));
        StepResult result;
        int steps = 0;
        do result = task.Step(action, observation);
        while (!result.Done && ++steps < 200);
        return result;
    }

    private static void AssertTheShoulderFollowsCommandsAgain(RobotReachTask task, float[] observation, float[] action)
    {
        double before = observation[0];
        for (int i = 0; i < 10; i++) Assert.That(task.Step(action, observation).Done, Is.False);
        // 0.5 × action scale 0.25 × 1 rad/s for 10 periods of 20 ms ≈ 0.025 rad, less the drive's lag.
        Assert.That(observation[0] - before, Is.InRange(0.015, 0.035), "the shoulder follows commands again");
    }
}
