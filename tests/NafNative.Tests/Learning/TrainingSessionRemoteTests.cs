using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Learning;

/// <summary>The session's hook for workers in other processes: with no worker threads at all, experience that arrives
/// through <see cref="IRemoteWorkers"/> trains the learner and spends the step budget.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class TrainingSessionRemoteTests
{
    // Inserts point-mass transitions into the run's ring on a thread of its own, recording them in its first slot.
    private sealed class FakeRemote : IRemoteWorkers
    {
        private Thread? _thread;
        private readonly CancellationTokenSource _stop = new();
        public RemoteRunParts? Parts;
        public int Reports, Stops;

        public int Slots => 2;

        public void Start(RemoteRunParts run)
        {
            Parts = run;
            Assert.That(run.Publisher.Latest, Is.Not.Null, "the first snapshot is published before remote workers start");
            _thread = new Thread(() =>
            {
                using var env = new PointMassEnvironment();
                float[] x = new float[2], next = new float[2], u = new float[1];
                int seed = 0;
                while (!_stop.IsCancellationRequested && !run.Stopping.IsCancellationRequested)
                {
                    env.Reset(seed++, x);
                    Environments.StepResult r;
                    do
                    {
                        u[0] = (float)Math.Sin(seed);
                        r = env.Step(u, next);
                        run.Ring.Insert(x, u, r.Reward, next, r.Terminated, r.Truncated);
                        run.Metrics.RecordSteps(run.FirstSlot, 1, 0, 0);
                        next.CopyTo(x, 0);
                        while (!run.Limiter.MayInsert(run.Metrics.Updates, run.Ring.Inserted) && !_stop.IsCancellationRequested) Thread.Yield();
                    }
                    while (!r.Done);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public void Report(MetricsRow row) => Reports++;

        public void Stop()
        {
            Stops++;
            _stop.Cancel();
            _thread?.Join();
        }
    }

    [Test]
    public void Run_NoWorkerThreadsAndRemoteExperience_TrainsAndSpendsTheBudget()
    {
        string root = Directory.CreateTempSubdirectory("naf-session-remote-").FullName;
        try
        {
            var options = new TrainingOptions
            {
                Task = "point-mass", Workers = 0, Seed = 3, Steps = 3000, ReplayCapacity = 4096, MetricsEverySeconds = 0.05,
                EvalEverySeconds = 0.2, CheckpointEverySeconds = 10, EvalEpisodes = 2,
                Learner = new LearnerOptions { MinReplayFill = 64, PublishEvery = 10, UpdatesPerInsert = 1.0 },
                Network = (o, a) => new NafOptions { ObservationSize = o, ActionSize = a, HiddenSizes = [16], BatchSize = 16, Seed = 3 },
                Noise = (_, seed) => new GaussianNoise(new NoiseSchedule(0.3f, 0.99f, 0.05f), seed),
            };
            var remote = new FakeRemote();
            var summary = new TrainingSession(options, RunFolder.Create(Path.Combine(root, "r")), (_, _) => new PointMassEnvironment(), remote)
                .Run(null, CancellationToken.None);
            Assert.Multiple(() =>
            {
                Assert.That(remote.Parts!.FirstSlot, Is.Zero, "no worker threads, so remote slots come first");
                Assert.That(remote.Parts.Metrics.WorkerCount, Is.EqualTo(2));
                Assert.That(summary.Metrics.TotalSteps, Is.GreaterThanOrEqualTo(3000));
                Assert.That(summary.TotalUpdates, Is.GreaterThan(1000), "remote experience drove the learner");
                Assert.That(remote.Reports, Is.GreaterThan(0));
                Assert.That(remote.Stops, Is.EqualTo(1), "stopped once, before the final checkpoint");
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void Constructor_NoWorkersAndNoRemote_Refused()
    {
        var options = new TrainingOptions
        {
            Task = "point-mass", Workers = 0, Network = (o, a) => new NafOptions { ObservationSize = o, ActionSize = a },
            Noise = (_, seed) => new GaussianNoise(new NoiseSchedule(0.3f), seed),
        };
        Assert.That(() => new TrainingSession(options, RunFolder.Create(Path.GetTempPath()), (_, _) => new PointMassEnvironment()),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("at least 1"));
    }
}
