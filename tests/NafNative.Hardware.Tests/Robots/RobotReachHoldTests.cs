using System.Diagnostics;
using NafNative.Hardware.Robots;

namespace NafNative.Hardware.Tests.Robots;

/// <summary>What a worker that must stop stepping asks of a robot task (IHoldableEnvironment): hold the arm at rest
/// mid-episode, or stop it from another thread; checked on what the simulated servos received.</summary>
[NonParallelizable]
public sealed class RobotReachHoldTests
{
    [Test]
    public void HoldAtRest_MidEpisode_ZeroVelocityKeepsBeingSentWithTorqueOnUntilTheNextReset()
    {
        // A 100 ms policy watchdog: holding for far longer must not trip it (nothing is asked of the policy).
        using var robot = new TestRobot(rate: 50, watchdogMs: 100);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        task.Reset(3, observation);
        for (int i = 0; i < 5; i++) task.Step([0.6f, -0.6f, 0.6f], observation);
        Assert.That(robot.Chain.Snapshot().Select(s => s.GoalVelocity), Is.All.Not.Zero, "moving mid-episode");

        task.HoldAtRest();
        long writesAtHold = robot.Chain.Snapshot().Sum(s => s.GoalVelocityWrites);
        Thread.Sleep(100); // the command in effect ends with the next cycle (20 ms)
        var held = Stopwatch.StartNew();
        while (held.Elapsed < TimeSpan.FromMilliseconds(600))
        {
            var states = robot.Chain.Snapshot();
            Assert.That(states.Select(s => s.GoalVelocity), Is.All.Zero, $"held at {held.ElapsedMilliseconds} ms");
            Assert.That(states.Select(s => s.TorqueEnabled), Is.All.True, "held, not stopped: torque stays on");
            Thread.Sleep(5);
        }
        var after = robot.Chain.Snapshot();
        Assert.Multiple(() =>
        {
            Assert.That(robot.Controller.StopError, Is.Null, "six policy-watchdog periods of holding are no stop");
            // Zero keeps going out every cycle (the drives' bus watchdog is fed): 35 cycles in 700 ms, counted loosely.
            Assert.That(after.Sum(s => s.GoalVelocityWrites) - writesAtHold, Is.GreaterThan(3 * 10), "zero velocity is still written each cycle");
            Assert.That(after.Select(s => Math.Abs(s.Velocity)), Is.All.LessThan(0.05), "the joints came to rest");
            Assert.That(() => task.Step([0.1f, 0.1f, 0.1f], observation), Throws.InvalidOperationException.With.Message.Contains("call Reset first"),
                "a held episode is over");
        });
        task.Reset(4, observation); // the next episode homes and arms the loop again
        task.Step([0.6f, -0.6f, 0.6f], observation);
        task.Step([0.6f, -0.6f, 0.6f], observation);
        Assert.That(robot.Chain.Snapshot().Select(s => s.GoalVelocity), Is.All.Not.Zero, "moving again after the next reset");
    }

    [Test]
    public void SafetyStop_FromAnotherThreadWhileTheWorkerWaits_StopsTheArmAndTheNextStepThrows()
    {
        using var robot = new TestRobot(rate: 50, watchdogMs: 2000, holdMs: 100);
        robot.Controller.Start();
        using var task = new RobotReachTask(robot.Controller, ownsController: false);
        var observation = new float[task.ObservationSize];
        task.Reset(5, observation);
        for (int i = 0; i < 5; i++) task.Step([0.6f, -0.6f, 0.6f], observation);
        // The worker thread is now "stuck" (no further command); a timer thread makes the stop.
        var stopper = new Thread(() => task.SafetyStop("remote worker watchdog tripped (test)"));
        stopper.Start();
        stopper.Join();
        var clock = Stopwatch.StartNew();
        while (robot.Chain.Snapshot().Any(s => s.TorqueEnabled) && clock.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(5);
        var states = robot.Chain.Snapshot();
        var ex = Assert.Throws<RobotStoppedException>(() => task.Step([0.1f, 0.1f, 0.1f], observation));
        Assert.Multiple(() =>
        {
            Assert.That(states.Select(s => s.GoalVelocity), Is.All.Zero);
            Assert.That(states.Select(s => s.TorqueEnabled), Is.All.False, "torque off after the stop hold (well inside the 2 s watchdog)");
            Assert.That(ex!.Reason, Is.EqualTo(RobotStopReason.Requested));
            Assert.That(ex.Message, Does.Contain("remote worker watchdog tripped (test)"));
        });
    }
}
