using System.Diagnostics;
using System.Text.RegularExpressions;
using NafNative.Learning;
using NafNative.Naf;
using NafNative.Replay;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

/// <summary>naf train as a child process, killed with SIGKILL mid-run (no chance to clean up), then resumed: every file
/// under its real name is whole, and the resumed run starts from exactly the last checkpoint's learner state, replay
/// contents and step count.</summary>
[NonParallelizable]
public sealed class TrainKillResumeTests
{
    private string _root = "";

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("SIGKILL of a child process: Linux only");
        _root = Directory.CreateTempSubdirectory("nafnative-kill-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        if (_root.Length > 0 && Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        _root = "";
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "naf.dll"));
        foreach (string a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    // Kill times vary from run to run, so over many CI runs the kill lands inside checkpoint, replay and CSV writes.
    [TestCase(0)]
    [TestCase(1)]
    public void Train_KilledWithSigkill_ResumesFromTheLastCheckpointWithItsReplay(int attempt)
    {
        string run = Path.Combine(_root, "run");
        string config = Path.Combine(_root, "config.json");
        // Checkpoints every 0.3 s, so the kill has many checkpoint/replay writes to land in.
        File.WriteAllText(config, """{"checkpoint_every_seconds": 0.3, "metrics_every_seconds": 0.2, "replay_capacity": 65536, "eval_every_steps": 5000}""");
        var runFolder = new RunFolder(run);
        using (var first = Start("train", "--task", "pendulum", "--workers", "2", "--steps", "100000000", "--seed", "5",
                   "--out", run, "--config", config))
        {
            try
            {
                _ = first.StandardOutput.ReadToEndAsync();
                _ = first.StandardError.ReadToEndAsync();
                var clock = Stopwatch.StartNew();
                // Several checkpoints (each with its replay file) have been written.
                while (!(File.Exists(runFolder.CheckpointPath) && Directory.GetFiles(run, "replay-*.naf").Any(f => Updates(f) >= 3000)))
                {
                    Assert.That(first.HasExited, Is.False, "naf train ended on its own before it was killed");
                    Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(120)), "no checkpoint with 3000 updates within 120 s");
                    Thread.Sleep(50);
                }
                Thread.Sleep(Random.Shared.Next(0, 400));
                first.Kill(); // SIGKILL on Linux: no handler runs, no final checkpoint
                Assert.That(first.WaitForExit(TimeSpan.FromSeconds(30)), Is.True);
                TestContext.Out.WriteLine($"attempt {attempt}: killed after {clock.Elapsed.TotalSeconds:F1} s; left {string.Join(", ", Directory.GetFiles(run).Select(Path.GetFileName))}");
            }
            finally
            {
                if (!first.HasExited) first.Kill(entireProcessTree: true);
            }
        }

        // Every file under its real name is whole: checkpoints load, every replay file verifies.
        var checkpoint = NafCheckpoint.Load(runFolder.CheckpointPath);
        if (File.Exists(runFolder.BestCheckpointPath)) NafCheckpoint.Load(runFolder.BestCheckpointPath);
        foreach (string file in Directory.GetFiles(run, "replay-*.naf")) ReplayFile.Verify(file);
        string? replay = runFolder.FindReplay(checkpoint.Steps);
        Assert.That(replay, Is.Not.Null, $"the replay file of the checkpoint's {checkpoint.Steps} updates survives the kill");
        var saved = ReplayFile.Verify(replay!);
        Assert.That(saved.Count, Is.GreaterThan(0));
        long budget = saved.EnvSteps + 3000;

        using var second = Start("train", "--resume", "--out", run, "--steps", budget.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var stdout = second.StandardOutput.ReadToEndAsync();
        var stderr = second.StandardError.ReadToEndAsync();
        try
        {
            Assert.That(second.WaitForExit(TimeSpan.FromSeconds(180)), Is.True, "the resumed run finishes its last 3000 steps");
        }
        finally
        {
            if (!second.HasExited) second.Kill(entireProcessTree: true);
        }
        TestContext.Out.WriteLine(stdout.Result);
        var finished = Regex.Match(stdout.Result, @"finished: (\d+) env steps");
        Assert.Multiple(() =>
        {
            Assert.That(second.ExitCode, Is.Zero, stderr.Result);
            Assert.That(stdout.Result, Does.Contain($"resumed:    from {checkpoint.Steps} updates, {saved.EnvSteps} env steps and {saved.Count} replay transitions"),
                "the learner, the step count and the replay continue exactly from the last checkpoint");
            Assert.That(finished.Success, Is.True, stdout.Result);
            Assert.That(long.Parse(finished.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(budget, budget + 2000),
                "the budget counts the whole run, so the resumed part ran only the remaining steps");
            Assert.That(NafCheckpoint.Load(runFolder.CheckpointPath).Steps, Is.GreaterThan(checkpoint.Steps));
            Assert.That(Directory.GetFiles(run, "*.tmp-*"), Is.Empty, "no half-written temporary file is left");
            Assert.That(() => runFolder.ReadMetrics(), Throws.Nothing, "metrics.csv has no half-written line");
            Assert.That(() => runFolder.ReadEvals(), Throws.Nothing, "evals.csv has no half-written line");
            Assert.That(Directory.GetFiles(run, "replay-*.naf"), Has.Length.EqualTo(1), "only the final checkpoint's replay file remains");
        });
    }

    private static long Updates(string replayFile) =>
        long.Parse(Path.GetFileNameWithoutExtension(replayFile)["replay-".Length..], System.Globalization.CultureInfo.InvariantCulture);
}
