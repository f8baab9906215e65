using Grpc.Core;
using NafNative.Learning;
using NafNative.Remote.Client;
using NafNative.Remote.Protocol;
using NUnit.Framework;

namespace NafNative.Remote.Tests;

/// <summary>naf learner and naf worker as two processes (loopback): the learner trains from remote experience only,
/// and when it is SIGKILLed and restarted (--resume) the same worker process finds it again; an oversized message
/// sent to the learner process is refused while a worker process carries on.</summary>
[NonParallelizable]
[CancelAfter(180_000)]
public sealed class LearnerProcessTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("POSIX signals: Linux only");
        Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"nafnative-learner-{Guid.NewGuid():N}"));
        // Small and quick: checkpoints every second (so a SIGKILL leaves one), a short evaluation.
        File.WriteAllText(Path.Combine(_dir, "config.json"),
            """{ "checkpoint_every_seconds": 1, "eval_every_seconds": 1000, "eval_episodes": 2, "min_replay_fill": 500, "hidden": [32, 32] }""");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string[] Learner(int port, string steps, bool resume) =>
    [
        "learner", "--task", "reach", "--listen", $"127.0.0.1:{port}", "--out", Path.Combine(_dir, "run"), "--steps", steps,
        .. resume ? new[] { "--resume" } : ["--config", Path.Combine(_dir, "config.json")],
    ];

    [Test]
    public void Learner_KilledAndResumed_TheSameWorkerProcessCarriesOnAndTheRunFinishes()
    {
        int port = LearnerProcessSetup.FreePort();
        string run = Path.Combine(_dir, "run");
        using var worker = new NafProcess(["worker", "--connect", $"http://127.0.0.1:{port}", "--task", "reach", "--name", "arm-e2e", .. NafProcess.PatientWatchdog]);
        using (var first = new NafProcess(Learner(port, "10000000", resume: false)))
        {
            first.WaitUntil(() => File.Exists(Path.Combine(run, RunFolder.CheckpointFile)) && first.Err.Contains("remote   "), 90,
                "the learner checkpointed with a remote worker in its table");
            first.Signal(9);
            Assert.That(first.WaitForExit(TimeSpan.FromSeconds(10)), Is.True);
        }
        Assert.That(worker.HasExited, Is.False, "the worker outlives its learner");
        // --steps counts the whole run, and a busy machine may have checkpointed well past any fixed figure before the
        // kill: give the resumed learner 3,000 steps beyond what its checkpoint carried, so it has to hear from the worker.
        long carried = Directory.EnumerateFiles(run, "replay-*.naf").Select(f => NafNative.Replay.ReplayFile.Verify(f).EnvSteps).DefaultIfEmpty(0).Max();
        using var second = new NafProcess(Learner(port, (carried + 3000).ToString(System.Globalization.CultureInfo.InvariantCulture), resume: true));
        Assert.That(second.WaitForExit(TimeSpan.FromSeconds(120)), Is.True, "the resumed learner finishes its budget from remote steps alone");
        worker.Signal(15);
        Assert.That(worker.WaitForExit(TimeSpan.FromSeconds(15)), Is.True);
        var csv = File.ReadAllLines(Path.Combine(run, "remote_workers.csv"));
        var (evalOut, evalErr) = (new StringWriter(), new StringWriter());
        int evalExit = NafNative.Cli.Program.Run(["eval", "--run", run, "--episodes", "2", "--checkpoint", "latest"], evalOut, evalErr);
        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.Zero, second.Err);
            Assert.That(second.Out, Does.StartWith("finished: "));
            Assert.That(worker.ExitCode, Is.EqualTo(143), worker.Err);
            Assert.That(worker.Out, Does.Contain("2 registrations"), "it registered again with the restarted learner");
            Assert.That(csv[0], Is.EqualTo("wall_seconds,worker,name,peer,steps,steps_per_s,transitions,batches,duplicate_batches,episodes,staleness,last_seen_s"));
            Assert.That(csv.Skip(1), Has.Some.Contains(",arm-e2e,"), "per-worker metrics rows");
            Assert.That(evalExit, Is.Zero, $"naf eval of a learner's run (0 worker threads): {evalErr}");
        });
    }

    [Test]
    public void Learner_OversizedMessage_RefusedWhileAWorkerProcessCarriesOn()
    {
        int port = LearnerProcessSetup.FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var learner = new NafProcess(LearnerProcessSetup.Learner(_dir, port));
        learner.WaitUntil(() => learner.Err.Contains("listening on http://"), 90, "the learner listened");
        using var worker = new NafProcess(["worker", "--connect", url, "--task", "reach", "--name", "arm-ok", .. NafProcess.PatientWatchdog]);
        learner.WaitUntil(() => LearnerProcessSetup.TransitionsOf(_dir, "arm-ok") > 0, 90, "the worker process delivered");

        // A client in the test process, registered properly, sends one message far over the learner's limit
        // (a batch of 1024 reach transitions + 64 KiB): 20,000 transitions, 4.5 MB.
        using var channel = RemoteChannel.Create(url);
        using var env = Sim.TaskCatalog.Create("reach", 0);
        var rogue = new LearnerConnection(channel, TestLearner.Token, RemoteChannel.Describe(env, "reach", "rogue")) { CallTimeout = TimeSpan.FromSeconds(30) };
        rogue.Register(CancellationToken.None);
        int count = 20_000, stride = 2 * env.ObservationSize + env.ActionSize + 3;
        var bytes = new byte[count * stride * sizeof(float)];
        var huge = new TransitionBatch
        {
            Sequence = 1, Count = count, Steps = count, Data = Google.Protobuf.ByteString.CopyFrom(bytes), Crc32 = System.IO.Hashing.Crc32.HashToUInt32(bytes),
        };
        var refused = Assert.Throws<RemoteRefusedException>(() => rogue.Insert(huge, CancellationToken.None));
        long atRefusal = LearnerProcessSetup.TransitionsOf(_dir, "arm-ok");
        learner.WaitUntil(() => LearnerProcessSetup.TransitionsOf(_dir, "arm-ok") >= atRefusal + 1000, 60, "the worker process carried on after the refusal");
        // The refusal cut that message only: the same client's next call is served.
        var snapshot = rogue.Snapshot(0, CancellationToken.None);
        worker.Signal(15);
        Assert.That(worker.WaitForExit(TimeSpan.FromSeconds(20)), Is.True);
        learner.Signal(15);
        Assert.That(learner.WaitForExit(TimeSpan.FromSeconds(60)), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(((RpcException)refused!.InnerException!).StatusCode, Is.EqualTo(StatusCode.ResourceExhausted), refused.Message);
            Assert.That(snapshot.Values.Length, Is.GreaterThan(0));
            Assert.That(worker.ExitCode, Is.EqualTo(143), worker.Err);
            Assert.That(WorkerProcessTests.Parse(worker).Registrations, Is.EqualTo(1), "the worker never lost its registration");
            Assert.That(learner.ExitCode, Is.EqualTo(143), learner.Err);
        });
    }
}
