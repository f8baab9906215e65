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
        for (int i = 0; i < 3; i++) Assert.That(task.Step(action, observation).Done, Is.False);
        robot.Segment.Inject(EcFault.Parse("safeop-error:1"));
        StepResult result;
        int steps = 0;
        do result = task.Step(action, observation);
        while (!result.Done && ++steps < 200);
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
        double before = observation[0];
        for (int i = 0; i < 10; i++) Assert.That(task.Step(action, observation).Done, Is.False);
        // 0.5 × action scale 0.25 × 1 rad/s for 10 periods of 20 ms ≈ 0.025 rad, less the drive's lag.
        Assert.That(observation[0] - before, Is.InRange(0.015, 0.035), "the shoulder follows commands again");
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
}
