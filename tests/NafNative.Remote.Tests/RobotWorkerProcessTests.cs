using System.Diagnostics;
using System.Text.Json.Nodes;
using NafNative.Cli.Robots;
using NafNative.Hardware.Simulated;
using NUnit.Framework;

namespace NafNative.Remote.Tests;

/// <summary>naf worker --robot in a separate process, driving the simulated iiwa arm (naf sim-robot's servos, on a
/// pty this test creates) for a learner in the test process; the learner goes away in the middle of an episode and
/// comes back. Checked on what
/// the simulated servos received: motion while the learner is there, zero velocity with torque on (held, not
/// stopped) while it is away, motion again after, torque off when the worker stops.</summary>
[NonParallelizable]
[CancelAfter(240_000)]
public sealed class RobotWorkerProcessTests
{
    private const int SigTerm = 15;
    // The simulated arm runs 5× real time (20 Hz → 100 Hz of wall time).
    private const double TimeScale = 5;
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("ptys and POSIX signals: Linux only");
        _dir = Directory.CreateTempSubdirectory("naf-robot-worker-").FullName;
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    // The example arm with its port in this test's folder, and a policy watchdog of 2 s of wall time (the worker's
    // own is given 10 s): a loaded CI machine's scheduling must not be mistaken for a stalled policy (the hold is what
    // is under test here; RemoteWorkerWatchdogTests test the watchdog).
    private string RobotFile()
    {
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sim-iiwa-a.json")))!;
        doc["name"] = "remote-arm";
        doc["transport"]!["port"] = Path.Combine(_dir, "arm.tty");
        doc["watchdog_ms"] = 10_000;
        // Episodes of 400 steps (4 s of wall time): the learner goes away in the middle of one, and the arm must
        // stop there, not when the episode would have ended.
        doc["task"]!["episode_steps"] = 400;
        string path = Path.Combine(_dir, "arm.json");
        File.WriteAllText(path, doc.ToJsonString());
        return path;
    }

    private readonly record struct Sample(double Seconds, bool Moving, long Writes, bool TorqueOn);

    [Test]
    public void RobotWorker_LearnerGoesAwayAndComesBack_ArmHeldAtRestMeanwhile_ThenMovesAgain()
    {
        string robotFile = RobotFile();
        var robot = RobotSetup.Load(robotFile);
        using var sim = SimulatedRobot.Start(robot, TimeScale, robot.Port);
        var samples = new List<Sample>();
        var clock = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var sampler = new Thread(() =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var states = sim.Chain.Snapshot();
                var s = new Sample(clock.Elapsed.TotalSeconds, states.Any(x => x.GoalVelocity != 0), states.Sum(x => x.GoalVelocityWrites), states.All(x => x.TorqueEnabled));
                lock (samples) samples.Add(s);
                Thread.Sleep(5);
            }
        }) { IsBackground = true };
        sampler.Start();
        Sample[] Between(double from, double to) { lock (samples) return [.. samples.Where(s => s.Seconds >= from && s.Seconds <= to)]; }

        var (obs, act) = (2 * robot.JointCount + 9, robot.JointCount);
        var first = new TestLearner(task: "reach", observationSize: obs, actionSize: act, hidden: [16]);
        int port = first.Port;
        bool firstGone = false;
        TestLearner? second = null;
        using var worker = new NafProcess(["worker", "--connect", first.Url, "--robot", robotFile, "--robot-time-scale", "5", "--name", "arm-hw",
            .. NafProcess.PatientWatchdog]);
        try
        {
            worker.WaitUntil(() => first.Ring.Inserted >= 800, 120, "two episodes reached the learner");
            double before = clock.Elapsed.TotalSeconds;
            Assert.That(Between(0, before).Any(s => s.Moving), Is.True, "the policy moved the arm");

            double away = clock.Elapsed.TotalSeconds;
            first.Dispose(); // the learner goes away, with calls in flight and an episode running
            firstGone = true;
            double gone = clock.Elapsed.TotalSeconds;
            Thread.Sleep(5000);
            Assert.That(worker.HasExited, Is.False, $"the worker retries and waits:\n{worker.Err}");
            // Noticed within a heartbeat (0.5 s) of the learner's port closing; 1.5 s allows for a busy machine.
            var held = Between(gone + 1.5, gone + 5);
            double stillAt = Between(away, gone + 5).LastOrDefault(s => s.Moving).Seconds;
            TestContext.Out.WriteLine($"learner stopped in {gone - away:F2} s; last nonzero goal velocity {stillAt - gone:F2} s after that");
            foreach (string line in worker.Err.Split('\n').Where(l => l.Contains("holding"))) TestContext.Out.WriteLine(line);
            Assert.Multiple(() =>
            {
                Assert.That(held, Has.Length.GreaterThan(100), "sampled while the learner was away");
                Assert.That(held.Where(s => s.Moving), Is.Empty, "every servo's goal velocity is zero while the learner is away");
                Assert.That(held.All(s => s.TorqueOn), Is.True, "held at rest with torque on (a hold, not a safety stop)");
                // The control loop goes on writing zero through the filter each cycle (100 Hz × 7 servos), which also
                // feeds the servos' bus watchdog.
                Assert.That(held[^1].Writes - held[0].Writes, Is.GreaterThan(7 * 100), "zero velocity is still being written every cycle");
            });

            second = new TestLearner(task: "reach", observationSize: obs, actionSize: act, hidden: [16], port: port);
            double back = clock.Elapsed.TotalSeconds;
            worker.WaitUntil(() => second.Ring.Inserted >= 400, 120, "an episode reached the restarted learner");
            Assert.That(Between(back, clock.Elapsed.TotalSeconds).Any(s => s.Moving), Is.True, "the arm moves again once the learner is back");
            worker.Signal(SigTerm);
            Assert.That(worker.WaitForExit(TimeSpan.FromSeconds(30)), Is.True, "the worker stops on SIGTERM");
        }
        finally
        {
            if (!firstGone) first.Dispose();
            sampling.Cancel();
            sampler.Join();
        }
        using (second)
        {
            var end = sim.Chain.Snapshot();
            long acknowledged = WorkerProcessTests.Parse(worker).Acknowledged;
            long stored = first.Ring.Inserted + second.Ring.Inserted;
            Assert.Multiple(() =>
            {
                Assert.That(worker.ExitCode, Is.EqualTo(143), worker.Err);
                Assert.That(worker.Err, Does.Contain("holding the arm at rest").And.Contain("the learner answered after").And.Contain("resuming"));
                Assert.That(worker.Out, Does.Match(@"[1-9]\d* holds for the learner"));
                Assert.That(worker.Out, Does.Contain("2 registrations"), "registered again with the new learner");
                Assert.That(end.Select(s => s.GoalVelocity), Is.All.Zero, "left at rest");
                Assert.That(end.Select(s => s.TorqueEnabled), Is.All.False, "torque off when the worker stopped");
                // At-least-once across the restart: what the first learner stored but could not acknowledge is sent
                // again to the second (at most the batch in flight), and nothing acknowledged is missing.
                Assert.That(stored - acknowledged, Is.InRange(0, 1024), $"stored {first.Ring.Inserted} + {second.Ring.Inserted}, acknowledged {acknowledged}");
            });
            Assert.That(TransitionChainAudit.Check(first.Ring, "first learner"), Is.GreaterThanOrEqualTo(2));
            Assert.That(TransitionChainAudit.Check(second.Ring, "second learner"), Is.GreaterThanOrEqualTo(1));
        }
    }
}
