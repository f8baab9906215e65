using System.Diagnostics;
using NafNative.Environments;
using NafNative.Hardware.Robots;
using NafNative.Remote.Client;
using NUnit.Framework;

namespace NafNative.Remote.Tests;

/// <summary>A remote worker's watchdog (the Watchdog in-process workers use): a step that stalls stops the arm while
/// it is still stuck, and no command follows.</summary>
[NonParallelizable]
[CancelAfter(90_000)]
public sealed class RemoteWorkerWatchdogTests
{
    [Test]
    public void StalledStep_TheWatchdogStopsTheArmWhileTheStepIsStuck_AndNoCommandFollows()
    {
        using var learner = new TestLearner();
        using var channel = RemoteChannel.Create(learner.Url);
        using var env = new HoldableTestEnvironment(1, stallAtStep: 30);
        var reported = new List<TimeoutException>();
        var worker = new RemoteWorker(env, learner.Connect(channel, env))
        {
            WatchdogPeriod = TimeSpan.FromSeconds(2),
            OnWatchdogTrip = e => { lock (reported) reported.Add(e); },
        };
        var failure = TestLearner.RunUntil(worker, () => false, TimeSpan.FromSeconds(40));
        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.TypeOf<TimeoutException>().With.Message.Contains("watchdog tripped").And.Message.Contains("no command for"));
            Assert.That(env.StallEndedByStop, Is.True, "the arm was stopped while the step was still stuck, not after it returned");
            Assert.That(env.StopReason, Does.Contain("watchdog tripped"));
            Assert.That(reported, Has.Count.EqualTo(1), "the host hears of the trip once");
            Assert.That(env.Steps, Is.EqualTo(30), "the stalled step was the last");
            Assert.That(env.StepsAfterStop, Is.Zero, "no command after the stop");
        });
    }

    [Test]
    public void StalledStep_OnARobot_TheWorkersWatchdogStopsTheArmThroughItsControlLoop()
    {
        // The robot's own policy watchdog is 10 s: the stop within a few seconds can only be the remote worker's (2 s: 1 s
        // tripped on an ordinary step of a box at load 10, before the stall began).
        using var robot = new PlanarRobot(watchdogMs: 10_000);
        using var learner = new TestLearner(task: "reach", observationSize: robot.Task.ObservationSize, actionSize: robot.Task.ActionSize);
        using var channel = RemoteChannel.Create(learner.Url);
        using var stalling = new StallingTask(robot.Task, stallAtStep: 30);
        var worker = new RemoteWorker(stalling, learner.Connect(channel, stalling, task: "reach")) { WatchdogPeriod = TimeSpan.FromSeconds(2) };
        var failure = TestLearner.RunUntil(worker, () => false, TimeSpan.FromSeconds(60));
        // The control loop reports the stop after its hold: on a loaded box that can come after the worker has returned.
        SpinWait.SpinUntil(() => robot.Controller.StopError is not null, TimeSpan.FromSeconds(10));
        var states = robot.Chain.Snapshot();
        TestContext.Out.WriteLine($"stall ended after {stalling.Stalled.TotalMilliseconds:F0} ms; {failure?.Message}");
        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.TypeOf<TimeoutException>().With.Message.Contains("watchdog tripped"));
            Assert.That(failure!.InnerException, Is.TypeOf<RobotStoppedException>(), "the step after the trip met the stopped arm");
            Assert.That(stalling.Stalled, Is.LessThan(TimeSpan.FromSeconds(8)), "stopped by the worker's watchdog, not the robot's 10 s one");
            Assert.That(robot.Controller.StopError?.Reason, Is.EqualTo(RobotStopReason.Requested));
            Assert.That(robot.Controller.StopError?.Message, Does.Contain("watchdog tripped"));
            Assert.That(states.Select(s => s.GoalVelocity), Is.All.Zero, "zero velocity on every servo");
            Assert.That(states.Select(s => s.TorqueEnabled), Is.All.False, "torque off after the stop hold");
        });
    }

    // The robot task with one step that stalls (before it reaches the control loop) until the arm is told to stop.
    private sealed class StallingTask(RobotReachTask task, long stallAtStep) : IHoldableEnvironment
    {
        private readonly ManualResetEventSlim _stopped = new();
        private long _steps;

        public TimeSpan Stalled { get; private set; }
        public string Name => task.Name;
        public int ObservationSize => task.ObservationSize;
        public int ActionSize => task.ActionSize;
        public double ControlRate => task.ControlRate;
        public int MaxEpisodeSteps => task.MaxEpisodeSteps;
        public bool IsSuccess => task.IsSuccess;
        public ReadOnlySpan<float> ExecutedAction => task.ExecutedAction;
        public void Reset(int seed, Span<float> observation) => task.Reset(seed, observation);

        public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
        {
            if (++_steps == stallAtStep)
            {
                var clock = Stopwatch.StartNew();
                _stopped.Wait(TimeSpan.FromSeconds(20));
                Stalled = clock.Elapsed;
            }
            return task.Step(action, observation);
        }

        public void HoldAtRest() => task.HoldAtRest();

        public void SafetyStop(string reason)
        {
            task.SafetyStop(reason);
            _stopped.Set();
        }

        public void Dispose() => _stopped.Dispose();
    }
}
