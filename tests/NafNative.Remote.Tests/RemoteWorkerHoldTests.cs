using System.Diagnostics;
using NafNative.Remote.Client;
using NUnit.Framework;

namespace NafNative.Remote.Tests;

/// <summary>The learner goes away in the middle of an episode: the worker ends the episode there, holds the arm at
/// rest and takes no step while the calls retry; when a learner answers again it starts a new episode, and no
/// transition is lost.</summary>
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class RemoteWorkerHoldTests
{
    [Test]
    public void LearnerGoesAwayMidEpisode_TheArmIsHeldWithNoStepUntilALearnerAnswers_ThenANewEpisodeAndNothingLost()
    {
        // One long episode of 2 ms steps (a 500 Hz arm), batches of 64 sent as they fill.
        using var env = new HoldableTestEnvironment(7, maxEpisodeSteps: 1_000_000, stepDelay: TimeSpan.FromMilliseconds(2));
        var log = new List<string>();
        var first = new TestLearner(maxBatch: 64);
        int port = first.Port;
        using var channel = RemoteChannel.Create(first.Url);
        var worker = new RemoteWorker(env, first.Connect(channel, env), line => { lock (log) log.Add(line); }) { WatchdogPeriod = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource();
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { worker.Run(stop.Token); }
            catch (Exception e) { failure = e; }
        }) { IsBackground = true };
        TestLearner? second = null;
        bool firstGone = false;
        try
        {
            thread.Start();
            WaitFor(() => first.Ring.Inserted >= 640, 30, "640 transitions reached the first learner");
            first.Dispose(); // the learner goes away with the episode running
            firstGone = true;
            WaitFor(() => env.Holds == 1, 20, "the worker held the arm");
            long stepsAtHold = env.Steps;
            Thread.Sleep(1500);
            Assert.Multiple(() =>
            {
                Assert.That(env.HeldAtEpisodeStep, Is.GreaterThan(0), "held in the middle of the episode, not at its end");
                Assert.That(env.Steps, Is.EqualTo(stepsAtHold), "no step while the learner is away");
                Assert.That(env.Resets, Is.EqualTo(1), "no new episode while the learner is away");
                Assert.That(thread.IsAlive, Is.True, "the worker retries, it does not give up");
            });
            second = new TestLearner(maxBatch: 64, port: port);
            WaitFor(() => second.Ring.Inserted >= 640, 60, "640 transitions reached the second learner");
            WaitFor(() => env.Resets >= 2, 10, "a new episode started");
        }
        finally
        {
            stop.Cancel();
            Assert.That(thread.Join(TimeSpan.FromSeconds(15)), Is.True, "the worker stops");
            if (!firstGone) first.Dispose();
        }
        using (second)
        {
            Assert.That(failure, Is.Null);
            var one = StoredSteps(first);
            var two = StoredSteps(second);
            var both = one.Concat(two).ToHashSet();
            Assert.Multiple(() =>
            {
                // One hold for the restart; a busy machine may add one for a call past its deadline, never a stream of them.
                Assert.That(worker.Holds, Is.InRange(1, 3));
                Assert.That(worker.InterruptedEpisodes, Is.InRange(1, worker.Holds));
                Assert.That(worker.Connection.Registrations, Is.EqualTo(2), "registered again with the new learner");
                lock (log)
                {
                    Assert.That(log, Has.Some.Contains("the learner is unreachable at step").And.Contains("holding the arm at rest"));
                    Assert.That(log, Has.Some.Contains("the learner answered after").And.Contains("resuming"));
                }
                // Each learner stored each transition at most once (the audit fails on a repeat or a damaged one).
                // At-least-once across the restart: every step taken reached one of them, so none is missing.
                Assert.That(both, Is.EquivalentTo(Enumerable.Range(0, (int)env.Steps)), $"first learner {one.Count}, second {two.Count}, steps {env.Steps}");
            });
        }
    }

    private static List<int> StoredSteps(TestLearner learner)
    {
        ChecksumEnvironment.Audit(learner.Ring);
        var data = (float[])typeof(Replay.ReplayRing).GetField("_data", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(learner.Ring)!;
        return [.. Enumerable.Range(0, (int)learner.Ring.Inserted).Select(i => (int)data[i * learner.Ring.Stride + 1])];
    }

    private static void WaitFor(Func<bool> condition, double seconds, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds) Assert.Fail($"not {what} within {seconds} s");
            Thread.Sleep(10);
        }
    }
}
