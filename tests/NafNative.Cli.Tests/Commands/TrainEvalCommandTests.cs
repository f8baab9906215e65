using System.Text.Json;
using NafNative.Cli.Training;
using NafNative.Learning;
using NafNative.Sim.Tasks;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

[TestFixture]
public sealed class TrainEvalCommandTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("naf-cli-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Test]
    public void Train_ShortPendulumRun_WritesRunFolderAndEvalReadsIt()
    {
        string run = Path.Combine(_root, "p");
        var (exit, stdout, stderr) = Run("train", "--task", "pendulum", "--workers", "2", "--steps", "3000", "--seed", "4", "--out", run);

        Assert.That(exit, Is.Zero, stderr);
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Does.Contain("checkpoint:").And.Contain("curves:"));
            Assert.That(File.Exists(Path.Combine(run, RunFolder.CheckpointFile)));
            Assert.That(File.Exists(Path.Combine(run, "curve-time.png")) && File.Exists(Path.Combine(run, "curve-steps.png")));
            Assert.That(File.ReadLines(Path.Combine(run, RunFolder.MetricsFile)).First(), Is.EqualTo(MetricsRow.Header));
            using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunDirectory.ConfigFile)));
            Assert.That(config.RootElement.GetProperty("task").GetString(), Is.EqualTo("pendulum"));
            Assert.That(config.RootElement.GetProperty("seed").GetInt32(), Is.EqualTo(4));
        });

        var eval = Run("eval", "--run", run, "--episodes", "2", "--json");
        Assert.That(eval.Exit, Is.Zero, eval.Err);
        using var doc = JsonDocument.Parse(eval.Out);
        Assert.That(doc.RootElement.GetProperty("episodes").GetInt32(), Is.EqualTo(2));
        int successes = doc.RootElement.GetProperty("successes").GetInt32();
        Assert.That(successes, Is.InRange(0, 2));
        Assert.That(doc.RootElement.GetProperty("success_rate").GetDouble(), Is.EqualTo(successes / 2.0), "successes over the episodes run");
        Assert.That(doc.RootElement.GetProperty("mean_return").GetDouble(), Is.LessThan(0), "pendulum rewards are negative");

        var strict = Run("eval", "--run", run, "--episodes", "2", "--min-success", "1.01");
        Assert.That(strict.Exit, Is.EqualTo(2), "a requested check that fails exits with 2");
    }

    [TestCase("door-push")]
    [TestCase("pick-place")]
    public void Train_MujocoTask_RunsAndEvaluates(string task)
    {
        MujocoTestGuard.Require();
        string run = Path.Combine(_root, task);
        var (exit, _, stderr) = Run("train", "--task", task, "--workers", "2", "--steps", "3000", "--seed", "1", "--out", run);
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(File.Exists(Path.Combine(run, RunFolder.CheckpointFile)));

        var eval = Run("eval", "--run", run, "--episodes", "2", "--json");
        Assert.That(eval.Exit, Is.Zero, eval.Err);
        using var doc = JsonDocument.Parse(eval.Out);
        Assert.That(doc.RootElement.GetProperty("episodes").GetInt32(), Is.EqualTo(2));
        Assert.That(double.IsFinite(doc.RootElement.GetProperty("mean_return").GetDouble()), Is.True);
    }

    [Test]
    public void Train_Resume_ContinuesFromCheckpoint()
    {
        string run = Path.Combine(_root, "r");
        Assert.That(Run("train", "--task", "pendulum", "--workers", "1", "--steps", "2000", "--out", run).Exit, Is.Zero);
        long before = NafNative.Naf.NafCheckpoint.Load(Path.Combine(run, RunFolder.CheckpointFile)).Steps;

        // --steps is the whole run's budget: 2000 more after the first 2000.
        var (exit, _, stderr) = Run("train", "--resume", "--out", run, "--steps", "4000");

        Assert.That(exit, Is.Zero, stderr);
        long after = NafNative.Naf.NafCheckpoint.Load(Path.Combine(run, RunFolder.CheckpointFile)).Steps;
        Assert.That(after, Is.GreaterThan(before), "the resumed run kept updating the checkpointed learner");
    }

    [Test]
    public void Train_MildVariation_WritesEachRobotThenEvalReportsPerRobotAndHeldOut()
    {
        string run = Path.Combine(_root, "v");
        var (exit, _, stderr) = Run("train", "--task", "reach", "--workers", "2", "--steps", "3000", "--variation", "mild", "--out", run);
        Assert.That(exit, Is.Zero, stderr);
        using var robots = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunDirectory.RobotsFile)));
        var list = robots.RootElement.EnumerateArray().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(list.Select(r => r.GetProperty("worker").GetInt32()), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(list[0].GetProperty("mass_scales").GetArrayLength(), Is.EqualTo(7));
            Assert.That(list[0].GetProperty("joint_offsets_rad")[0].GetDouble(), Is.Not.EqualTo(list[1].GetProperty("joint_offsets_rad")[0].GetDouble()),
                "two different robots");
            Assert.That(File.ReadAllLines(Path.Combine(run, RunFolder.WorkersFile)).Skip(1).Select(l => l.Split(',')[1]).Distinct(),
                Is.EquivalentTo(new[] { "0", "1" }), "workers.csv follows each robot");
        });

        var eval = Run("eval", "--run", run, "--per-robot", "--held-out", "2", "--episodes", "2", "--json");
        Assert.That(eval.Exit, Is.Zero, eval.Err);
        using var rows = JsonDocument.Parse(eval.Out);
        Assert.That(rows.RootElement.EnumerateArray().Select(r => r.GetProperty("robot").GetString()),
            Is.EqualTo(new[] { "worker 0", "worker 1", "held-out 0", "held-out 1" }));
    }

    [Test]
    public void Train_DoorSuite_ThenEvalAtEachHeldOutDoor()
    {
        var rows = TrainOnSuiteThenEval("door-push", "{ \"suite\": \"doors-5\", \"suite_per_worker\": true, \"min_replay_fill\": 500 }",
            "--door-suite", "doors-held-out");
        Assert.That(rows.Select(r => r.Robot), Is.EqualTo(new[] { "doors-held-out/mid-long-lever", "doors-held-out/narrow-low-stiff", "doors-held-out/right-wide-high" }));
        Assert.That(rows.Select(r => r.HeldOut), Is.All.True);
    }

    [Test]
    public void Train_CubeSuite_ThenEvalAtEachCube_SuiteForAnotherTaskRefused()
    {
        var rows = TrainOnSuiteThenEval("pick-place", "{ \"suite\": \"cubes-5\", \"min_replay_fill\": 500 }", "--suite", "cubes-5");
        Assert.That(rows.Select(r => r.Robot), Is.EqualTo(CubeVariant.Suite("cubes-5").Select(v => "cubes-5/" + v.Name)));
        Assert.That(rows.Select(r => r.HeldOut), Is.All.False, "the run trained on cubes-5");

        var bad = Run("train", "--task", "door-push", "--steps", "100", "--out", Path.Combine(_root, "bad-suite"),
            "--config", WriteConfig("bad.json", "{ \"suite\": \"cubes-5\" }"));
        Assert.That(bad.Exit, Is.Not.Zero);
        Assert.That(bad.Err, Does.Contain("config field 'suite'").And.Contain("doors-5"));
    }

    // A short 2-worker run of task with config, then naf eval at each variant of a suite (option: --suite or its older
    // name --door-suite): each row's name and whether it was held out.
    private (string? Robot, bool HeldOut)[] TrainOnSuiteThenEval(string task, string config, string option, string suite)
    {
        MujocoTestGuard.Require();
        string run = Path.Combine(_root, task);
        var (exit, _, stderr) = Run("train", "--task", task, "--workers", "2", "--steps", "1500", "--out", run,
            "--config", WriteConfig(task + ".json", config));
        Assert.That(exit, Is.Zero, stderr);
        var eval = Run("eval", "--run", run, option, suite, "--episodes", "1", "--json");
        Assert.That(eval.Exit, Is.Zero, eval.Err);
        using var rows = JsonDocument.Parse(eval.Out);
        return [.. rows.RootElement.EnumerateArray().Select(r => (r.GetProperty("robot").GetString(), r.GetProperty("held_out").GetBoolean()))];
    }

    private string WriteConfig(string name, string json)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Test]
    public void Train_BadVariation_FailsBeforeStartingAndNamesIt()
    {
        string config = Path.Combine(_root, "bad-variation.json");
        File.WriteAllText(config, "{ \"variation\": { \"preset\": \"mild\", \"mass_pct\": -10 } }");
        var (exit, _, stderr) = Run("train", "--steps", "100", "--config", config, "--out", Path.Combine(_root, "bv"));
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("'variation.mass_pct'"));
        Assert.That(Directory.Exists(Path.Combine(_root, "bv")), Is.False);
    }

    [TestCase(new[] { "--task", "teleport" }, "unknown task 'teleport'")]
    [TestCase(new[] { "--workers", "-2" }, "config field 'workers'")]
    [TestCase(new[] { "--minutes", "NaN" }, "config field 'minutes'")]
    [TestCase(new[] { "--pacing", "warp" }, "config field 'pacing'")]
    public void Train_BadFlag_FailsBeforeStartingAndNamesIt(string[] flags, string message)
    {
        string run = Path.Combine(_root, "bad");
        var (exit, _, stderr) = Run(["train", "--steps", "100", "--out", run, .. flags]);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(message));
        Assert.That(Directory.Exists(run), Is.False, "nothing was started or written");
    }

    [TestCase("{ \"learning_rat\": 0.1 }", "unknown field 'learning_rat'")]
    [TestCase("{ \"learning_rate\": \"NaN\" }", "NafOptions.LearningRate")]
    [TestCase("{ \"replay_capacity\": 1000 }", "config field 'replay_capacity'")]
    [TestCase("{ \"workers\": \"two\" }", "workers")]
    [TestCase("{ \"backend\": \"tpu\" }", "config field 'backend'")]
    [TestCase("{ \"hindsight_relabels\": 4 }", "config field 'hindsight_relabels': task 'reach' has no goal in its observation that its reward separates out")]
    [TestCase("{ \"hindsight_relabels\": -1 }", "config field 'hindsight_relabels': must be in [0, 16], got -1")]
    [TestCase("{ \"reward_scale\": 0 }", "config field 'reward_scale': must be positive and finite, got 0")]
    [TestCase("{ \"n_step\": 0 }", "config field 'n_step': must be in [1, 32], got 0")]
    [TestCase("{ \"priority_exponent\": 1.5 }", "config field 'priority_exponent': must be in (0, 1] (or absent for uniform replay), got 1.5")]
    [TestCase("{ \"priority_exponent\": 0.6, \"importance_exponent\": -1 }", "config field 'importance_exponent': must be in [0, 1], got -1")]
    [TestCase("{ \"priority_exponent\": 0.6, \"backend\": \"gpu-cpuaccel\" }", "config field 'priority_exponent': prioritised replay runs on the cpu backend only")]
    [TestCase("[1, 2]", "must be a JSON object")]
    [TestCase("{ \"batch_size\": 64, ", "not valid JSON")]
    public void Train_BadConfigFile_FailsBeforeStartingAndNamesIt(string json, string message)
    {
        string config = Path.Combine(_root, "c.json");
        File.WriteAllText(config, json);
        string run = Path.Combine(_root, "bad");

        var (exit, _, stderr) = Run("train", "--steps", "100", "--config", config, "--out", run);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(message));
        Assert.That(Directory.Exists(run), Is.False);
    }

    [Test]
    public void Train_GpuCpuAccelBackend_TinyPendulum_TrainsCheckpointsAndEvals()
    {
        // The GPU learner (ILGPU kernels on ILGPU's CPU accelerator, as CI runs them) inside a real training run:
        // tiny network and batch, and ~16 updates (0.05 per insert after 100 transitions: one full loss window, so a
        // deferred loss download happens), because the accelerator manages only ~7 updates/s on a 2-core runner.
        // Checkpoints and evaluations every second exercise DownloadState on the learner thread between updates.
        string config = Path.Combine(_root, "gpu.json");
        File.WriteAllText(config, """
            { "backend": "gpu-cpuaccel", "task": "pendulum", "workers": 1, "hidden": [8, 8], "batch_size": 16,
              "min_replay_fill": 100, "steps": 400, "updates_per_insert": 0.05, "eval_episodes": 1,
              "eval_every_seconds": 1, "checkpoint_every_seconds": 1 }
            """);
        string run = Path.Combine(_root, "g");
        var (exit, stdout, stderr) = Run("train", "--config", config, "--out", run);

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("backend:    gpu-cpuaccel: CPUAccelerator"));
        var checkpoint = NafNative.Naf.NafCheckpoint.Load(Path.Combine(run, RunFolder.CheckpointFile));
        Assert.That(checkpoint.Steps, Is.GreaterThan(0), "the GPU learner updated and its state was checkpointed");
        Assert.That(checkpoint.Options.HiddenSizes, Is.EqualTo(new[] { 8, 8 }));
        Assert.That(checkpoint.Online.Values, Is.Not.EqualTo(new NafNative.Naf.NafTrainer(checkpoint.Options).Online.Values),
            "the checkpoint holds the device's updated θ, not the initial parameters");
        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunDirectory.ConfigFile)));
        Assert.That(written.RootElement.GetProperty("backend").GetString(), Is.EqualTo("gpu-cpuaccel"));

        var eval = Run("eval", "--run", run, "--episodes", "1", "--json");
        Assert.That(eval.Exit, Is.Zero, eval.Err);

        // --resume uploads the checkpointed CPU state (θ, θ′, Adam, steps) to the device and continues from it.
        var resumed = Run("train", "--resume", "--out", run, "--steps", "800");
        Assert.That(resumed.Exit, Is.Zero, resumed.Err);
        long after = NafNative.Naf.NafCheckpoint.Load(Path.Combine(run, RunFolder.CheckpointFile)).Steps;
        Assert.That(after, Is.GreaterThan(checkpoint.Steps), "the resumed GPU learner kept counting from the checkpoint");
    }

    [Test]
    public void Train_GpuBackendWithoutCuda_FailsBeforeStartingAndNamesIt()
    {
        CudaTestGuard.RequireNoCuda();
        string run = Path.Combine(_root, "nocuda");
        var (exit, _, stderr) = Run("train", "--task", "pendulum", "--steps", "100", "--backend", "gpu", "--out", run);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("config field 'backend'").And.Contain("CUDA"));
        Assert.That(Directory.Exists(run), Is.False);
    }

    [Test]
    public void Train_ExistingRunFolder_FailsUnlessReplace()
    {
        string run = Path.Combine(_root, "again");
        Assert.That(Run("train", "--task", "pendulum", "--workers", "1", "--steps", "300", "--out", run).Exit, Is.Zero);
        File.WriteAllText(Path.Combine(run, "notes.txt"), "mine");

        var again = Run("train", "--task", "pendulum", "--workers", "1", "--steps", "300", "--out", run);
        Assert.That(again.Exit, Is.EqualTo(1));
        Assert.That(again.Err, Does.Contain("a run already exists there").And.Contain("--replace"));

        var replaced = Run("train", "--task", "pendulum", "--workers", "1", "--steps", "300", "--out", run, "--replace");
        Assert.That(replaced.Exit, Is.Zero, replaced.Err);
        Assert.That(File.ReadAllText(Path.Combine(run, "notes.txt")), Is.EqualTo("mine"), "only a run's own files are replaced");

        var both = Run("train", "--steps", "300", "--out", run, "--replace", "--resume");
        Assert.That(both.Exit, Is.EqualTo(1));
        Assert.That(both.Err, Does.Contain("give one of them"));
    }

    [Test]
    public void Train_NoBudget_Fails()
    {
        var (exit, _, stderr) = Run("train", "--task", "pendulum", "--out", Path.Combine(_root, "x"));
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("needs a budget"));
    }

    [Test]
    public void Eval_MissingRun_FailsWithPath()
    {
        var (exit, _, stderr) = Run("eval", "--run", Path.Combine(_root, "nothing"));
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("nothing"));
    }
}
