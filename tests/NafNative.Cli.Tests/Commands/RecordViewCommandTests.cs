using NafNative.Learning;
using NafNative.Recording;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

/// <summary>naf record and naf view's checks before serving (the page itself: View/ReplayPageBrowserTests).</summary>
[TestFixture]
public sealed class RecordViewCommandTests
{
    private string _root = "", _run = "";

    [OneTimeSetUp]
    public void Train()
    {
        _root = Directory.CreateTempSubdirectory("naf-record-").FullName;
        _run = Path.Combine(_root, "reach");
        string config = Path.Combine(_root, "tiny.json");
        File.WriteAllText(config, """{"eval_episodes": 1, "min_replay_fill": 200}""");
        var (exit, _, stderr) = CliRunner.Run("train", "--task", "reach", "--workers", "1", "--steps", "1500", "--seed", "4", "--config", config, "--out", _run);
        Assert.That(exit, Is.Zero, stderr);
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Record_Default_WritesTheEvalEpisodesIntoTheRunFolder()
    {
        var (exit, stdout, stderr) = CliRunner.Run("record", "--run", _run, "--episodes", "3", "--seed", "2", "--checkpoint", "latest");
        Assert.That(exit, Is.Zero, stderr);

        string path = Path.Combine(_run, RecordingFile.DefaultName);
        var recording = RecordingFile.Read(path);
        Assert.Multiple(() =>
        {
            Assert.That(stdout, Does.Contain(path).And.Contain("naf view --run"));
            Assert.That(recording.Task, Is.EqualTo("reach"));
            Assert.That(recording.Checkpoint, Is.EqualTo(Path.Combine(_run, RunFolder.CheckpointFile)));
            Assert.That(recording.Episodes.Select(e => e.Seed), Is.EqualTo(Enumerable.Range(0, 3).Select(e => Evaluation.EpisodeSeed(2, e))));
            Assert.That(recording.Scene.Arm.JointAxes, Has.Count.EqualTo(7));
        });
    }

    [Test]
    public void Record_Variant_RecordsAtThatDoor_UnknownVariantNamesTheSuitesDoors()
    {
        TestSupport.MujocoTestGuard.Require();
        string run = Path.Combine(_root, "door");
        string config = Path.Combine(_root, "door.json");
        File.WriteAllText(config, """{"eval_episodes": 1, "min_replay_fill": 200}""");
        var (exit, _, stderr) = CliRunner.Run("train", "--task", "door-push", "--workers", "1", "--steps", "600", "--config", config, "--out", run);
        Assert.That(exit, Is.Zero, stderr);
        string path = Path.Combine(run, "right.nafrec");
        (exit, _, stderr) = CliRunner.Run("record", "--run", run, "--episodes", "1", "--variant", "doors-5/right-narrow-light", "--out", path);
        Assert.That(exit, Is.Zero, stderr);

        // The right-hinged door's target (the handle's grip): hinge at y = −0.30, handle 0.48 − 0.08 m from it, grip 9 cm
        // back along the lever toward the hinge: y = +0.01 (the nominal door's is at −0.08).
        var frame = RecordingFile.Read(path).Episodes[0].Frames[0];
        Assert.That(frame.Target[1], Is.EqualTo(-0.30 + (0.48 - 0.08) - (0.10 - 0.01)).Within(2e-3));

        (exit, _, stderr) = CliRunner.Run("record", "--run", run, "--variant", "doors-5/no-such-door");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("no-such-door").And.Contain("right-narrow-light"));
        (exit, _, stderr) = CliRunner.Run("record", "--run", run, "--variant", "doors-5");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("SUITE/NAME"));
    }

    [Test]
    public void Record_OutIntoMissingFolder_FailsNamingIt()
    {
        var (exit, _, stderr) = CliRunner.Run("record", "--run", _run, "--out", Path.Combine(_root, "nowhere", "r.nafrec"));
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("nowhere"));
    }

    [Test]
    public void Record_PendulumRun_RefusedNamingTheTask()
    {
        string run = Path.Combine(_root, "pendulum");
        var (exit, _, stderr) = CliRunner.Run("train", "--task", "pendulum", "--workers", "1", "--steps", "1200", "--out", run);
        Assert.That(exit, Is.Zero, stderr);
        (exit, _, stderr) = CliRunner.Run("record", "--run", run);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("pendulum").And.Contain("cannot be recorded"));
    }

    [Test]
    public void View_NoRecording_SaysHowToMakeOne()
    {
        var (exit, _, stderr) = CliRunner.Run("view", "--run", _run, "--recording", Path.Combine(_root, "none.nafrec"), "--port", "0");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("none.nafrec").And.Contain("naf record --run"));
    }

    [TestCase("\"version\":1,", "\"version\":7,", "format version 7")]
    [TestCase(null, null, "truncated")]
    public void View_BadRecording_RefusedNamingTheFile(string? from, string? to, string expected)
    {
        string path = Path.Combine(_root, $"bad-{Guid.NewGuid():N}.nafrec");
        var (exit, _, stderr) = CliRunner.Run("record", "--run", _run, "--episodes", "1", "--out", path);
        Assert.That(exit, Is.Zero, stderr);
        string text = File.ReadAllText(path);
        File.WriteAllText(path, from is null ? text[..(text.Length / 2)] : text.Replace(from, to));

        (exit, _, stderr) = CliRunner.Run("view", "--run", _run, "--recording", path, "--port", "0");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(path).And.Contain(expected));
    }
}
