using System.Diagnostics;
using NafNative.Environments;
using NafNative.Hardware.Robots;
using NafNative.Hardware.Simulated;

namespace NafNative.Hardware.Tests.Robots;

[NonParallelizable]
public sealed class RobotControllerTests
{
    [Test]
    public void StalledPolicy_EveryJointStopsWithinOneWatchdogPeriod_ThenTorqueOff()
    {
        using var robot = new TestRobot(rate: 50, watchdogMs: 100, holdMs: 100);
        robot.Controller.Start();
        robot.Controller.Arm();
        var q = new double[3];
        var qd = new double[3];
        double[] v = [0.5, -0.5, 0.5];
        for (int i = 0; i < 10; i++) robot.Controller.WaitForState(robot.Controller.Command(v), q, qd);
        Assert.That(robot.Chain.Snapshot().Select(s => s.GoalVelocity), Is.All.Not.Zero, "moving before the stall");
        var stalled = Stopwatch.StartNew();
        double stoppedAfter = double.NaN;
        while (stalled.Elapsed < TimeSpan.FromSeconds(2))
        {
            if (robot.Chain.Snapshot().All(s => s.GoalVelocity == 0)) { stoppedAfter = stalled.Elapsed.TotalMilliseconds; break; }
            Thread.Sleep(1);
        }
        TestContext.Out.WriteLine($"zero velocity on every servo {stoppedAfter:F1} ms after the last command (watchdog 100 ms, period 20 ms)");
        // One watchdog period, plus the cycle in which it is noticed and the bus time of the zero command.
        Assert.That(stoppedAfter, Is.LessThanOrEqualTo(100 + 20 + 10));
        var ex = Assert.Throws<RobotStoppedException>(() => robot.Controller.WaitForState(long.MaxValue, q, qd));
        Assert.That(ex!.Reason, Is.EqualTo(RobotStopReason.Watchdog));
        Assert.That(ex.Message, Does.Contain("no command for"));
        Assert.That(robot.Chain.Snapshot().Select(s => s.TorqueEnabled), Is.All.False, "torque off after the hold");
    }

    [Test]
    public void UnpluggedServo_StopsTheArmAsLinkLost_NamingTheServo()
    {
        using var robot = new TestRobot();
        var ex = RobotStops.DriveUntilStopped(robot.Controller, [0.3, 0.3, -0.3], () => robot.Chain.Inject(new ServoFault(ServoFaultKind.Unplug, Id: 2)));
        Assert.That(ex.Reason, Is.EqualTo(RobotStopReason.LinkLost));
        Assert.That(ex.Message, Does.Contain("servo 2"));
        var states = robot.Chain.Snapshot();
        Assert.That(states.Where(s => s.Id != 2).Select(s => s.GoalVelocity), Is.All.Zero);
        Assert.That(states.Where(s => s.Id != 2).Select(s => s.TorqueEnabled), Is.All.False);
    }

    [Test]
    public void Overload_StopsTheArmAsHardwareError_NamingJointAndError()
    {
        using var robot = new TestRobot();
        var ex = RobotStops.DriveUntilStopped(robot.Controller, [0.3, 0.3, -0.3], () => robot.Chain.Inject(new ServoFault(ServoFaultKind.Overload, Id: 3)));
        Assert.That(ex.Reason, Is.EqualTo(RobotStopReason.HardwareError));
        Assert.That(ex.Message, Does.Contain("wrist").And.Contain("overload"));
        Assert.That(robot.Chain.Snapshot().Select(s => s.GoalVelocity), Is.All.Zero);
    }

    [Test]
    public void TransientDroppedReplies_AreRiddenThroughWithoutAStop()
    {
        using var robot = new TestRobot();
        robot.Controller.Start();
        robot.Controller.Arm();
        var q = new double[3];
        var qd = new double[3];
        robot.Chain.Inject(new ServoFault(ServoFaultKind.DropReply, Count: 2));
        for (int i = 0; i < 20; i++) robot.Controller.WaitForState(robot.Controller.Command([0.1, 0.1, 0.1]), q, qd);
        Assert.That(robot.Controller.StopError, Is.Null);
    }

    [Test]
    public void RequestStop_LikeCtrlC_LeavesEveryServoAtZeroVelocityWithTorqueOff()
    {
        using var robot = new TestRobot();
        var ex = RobotStops.DriveUntilStopped(robot.Controller, [0.3, 0.3, -0.3], () => robot.Controller.RequestStop("interrupted (Ctrl-C)"));
        Assert.That(ex.Reason, Is.EqualTo(RobotStopReason.Requested));
        var states = robot.Chain.Snapshot();
        Assert.That(states.Select(s => s.GoalVelocity), Is.All.Zero);
        Assert.That(states.Select(s => s.TorqueEnabled), Is.All.False);
    }

    [Test]
    public void RequestStop_TheNextCommandIsRefusedAtOnce_BeforeTheLoopLatchesTheStop()
    {
        // The loop latches a stop only at its next cycle and reports it after the hold; a command posted in between
        // must not be taken (a late-running loop would otherwise send it).
        using var robot = new TestRobot();
        robot.Controller.Start();
        robot.Controller.Arm();
        var q = new double[3];
        var qd = new double[3];
        robot.Controller.WaitForState(robot.Controller.Command([0.2, 0.2, 0.2]), q, qd);
        robot.Controller.RequestStop("the worker's watchdog tripped");
        var refused = Assert.Throws<RobotStoppedException>(() => robot.Controller.Command([0.2, 0.2, 0.2]));
        Assert.That(refused!.Reason, Is.EqualTo(RobotStopReason.Requested));
        Assert.That(refused.Message, Does.Contain("the worker's watchdog tripped"));
        Assert.That(SpinWait.SpinUntil(() => robot.Controller.StopError is not null, TimeSpan.FromSeconds(10)), Is.True, "the loop then latches the stop");
        Assert.That(robot.Chain.Snapshot().Select(s => s.GoalVelocity), Is.All.Zero);
    }

    [Test]
    public void ExceptionInTheWorker_DisposeStopsTheArm()
    {
        var robot = new TestRobot();
        try
        {
            robot.Controller.Start();
            robot.Controller.Arm();
            Assert.Throws<InvalidOperationException>(() =>
            {
                var q = new double[3];
                var qd = new double[3];
                robot.Controller.WaitForState(robot.Controller.Command([0.5, 0.5, 0.5]), q, qd);
                throw new InvalidOperationException("a bug in the worker");
            });
        }
        finally
        {
            robot.Controller.Dispose(); // what the worker's using/finally does
            var states = robot.Chain.Snapshot();
            Assert.That(states.Select(s => s.GoalVelocity), Is.All.Zero);
            Assert.That(states.Select(s => s.TorqueEnabled), Is.All.False);
            robot.Chain.Dispose();
        }
    }

    [Test]
    public void RandomPolicyOutputsWithNaNAndInfinity_NoGoalVelocityOnTheWireEverExceedsTheLimit()
    {
        using var robot = new TestRobot(rate: 100, watchdogMs: 200);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var random = new Random(20261203);
        var observation = new float[task.ObservationSize];
        var action = new float[3];
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f, 5f, -5f];
        for (int episode = 0; episode < 3; episode++)
        {
            task.Reset(episode, observation);
            StepResult result;
            do
            {
                for (int i = 0; i < 3; i++)
                    action[i] = random.Next(4) == 0 ? specials[random.Next(specials.Length)] : (float)(4 * random.NextDouble() - 2);
                result = task.Step(action, observation);
                Assert.That(observation, Is.All.Not.NaN);
            }
            while (!result.Done);
        }
        var states = robot.Chain.Snapshot();
        TestContext.Out.WriteLine(string.Join(", ", states.Select(s => $"ID {s.Id}: max |goal| {s.MaxRequestedGoalVelocity} of {TestRobot.LimitUnits} units in {s.GoalVelocityWrites} writes")));
        Assert.That(states.Select(s => s.GoalVelocityWrites), Is.All.GreaterThan(50));
        Assert.That(states.Select(s => s.MaxRequestedGoalVelocity), Is.All.LessThanOrEqualTo(TestRobot.LimitUnits));
        Assert.That(robot.Controller.Safety.Faults, Is.GreaterThan(0), "non-finite actions were caught by the filter");
    }

    [Test]
    public void ExecutedAction_IsWhatTheFilterSent_NotWhatThePolicyAsked()
    {
        using var robot = new TestRobot(rate: 100, watchdogMs: 200);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        task.Reset(1, observation);

        var stopped = task.Step([float.NaN, 0.5f, 0.5f], observation);
        float[] afterStop = task.ExecutedAction.ToArray();
        var free = task.Step([0.2f, -0.2f, 0.1f], observation);
        float[] afterFree = task.ExecutedAction.ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(stopped.SafetyIntervened, Is.True);
            Assert.That(afterStop, Is.EqualTo(new float[3]), "a non-finite command stops every joint: zero was executed");
            Assert.That(free.SafetyIntervened, Is.False);
            Assert.That(afterFree, Is.EqualTo(new[] { 0.2f, -0.2f, 0.1f }).Within(1e-6f), "an unfiltered command executes as asked");
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ReachReset_DrivesTheArmHomeThroughTheBus(bool fastSyncRead)
    {
        using var robot = new TestRobot(rate: 50, timeScale: 4, fastSyncRead: fastSyncRead);
        robot.Chain.SetPositions([0.8, -0.4, 1.2]);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        task.Reset(7, observation);
        // Joint 2 (elbow) is reversed: its horn angle is −q.
        var horns = robot.Chain.Snapshot().Select(s => s.Position).ToArray();
        Assert.That(observation[0], Is.EqualTo(0.0).Within(0.06));
        Assert.That(observation[1], Is.EqualTo(0.5).Within(0.06));
        Assert.That(observation[2], Is.EqualTo(0.5).Within(0.06));
        Assert.That(horns[1], Is.EqualTo(-observation[1]).Within(0.01));
        Assert.That(robot.Controller.Cycles.Read().Cycles, Is.GreaterThan(5));
    }
}
