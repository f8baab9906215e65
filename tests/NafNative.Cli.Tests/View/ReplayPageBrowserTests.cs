using System.Text.Json;
using NafNative.TestSupport;
using NUnit.Framework;
using SkiaSharp;

namespace NafNative.Cli.Tests.View;

/// <summary>The replay page in a real headless Chromium (Debian's, driven by tests/replay-browser with playwright-core)
/// against a real <c>naf view</c> process: no console errors, the episode plays, pauses, scrubs and switches, and the
/// screenshot shows the arm where the page's kinematics put it — judged on the PNG's pixels.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ReplayPageBrowserTests
{
    private string _root = "", _run = "", _driver = "";

    [OneTimeSetUp]
    public void TrainAndRecord()
    {
        _driver = NodeReaders.Require("replay-browser");
        Chromium.Require();
        _root = Directory.CreateTempSubdirectory("naf-view-browser-").FullName;
        _run = Path.Combine(_root, "reach");
        string config = Path.Combine(_root, "tiny.json");
        File.WriteAllText(config, """{"eval_episodes": 2, "eval_every_steps": 1000, "min_replay_fill": 200, "metrics_every_seconds": 0.5}""");
        var (exit, _, stderr) = CliRunner.Run("train", "--task", "reach", "--workers", "1", "--steps", "3000", "--seed", "2", "--config", config, "--out", _run);
        Assert.That(exit, Is.Zero, stderr);
        (exit, _, stderr) = CliRunner.Run("record", "--run", _run, "--episodes", "2");
        Assert.That(exit, Is.Zero, stderr);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        if (_root.Length > 0) Directory.Delete(_root, recursive: true);
    }

    [Test]
    public void Page_InHeadlessChromium_PlaysWithoutErrors_AndTheScreenshotShowsTheArmWhereItsKinematicsPutIt()
    {
        string output = Path.Combine(_root, "browser");
        using (var view = new ViewProcess("--run", _run))
            NodeReaders.Run(_driver, "check-replay.js", TimeSpan.FromSeconds(240), view.Url.ToString(), output);
        using var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "result.json")));
        var r = result.RootElement;
        TestContext.Out.WriteLine(r.ToString());
        int Frame(string step) => r.GetProperty(step).GetProperty("frame").GetInt32();
        bool Playing(string step) => r.GetProperty(step).GetProperty("playing").GetBoolean();

        Assert.Multiple(() =>
        {
            Assert.That(r.GetProperty("problems").EnumerateArray().Select(p => p.GetString()), Is.Empty, "console errors, page errors, failed requests");
            Assert.That(r.GetProperty("frames").GetInt32(), Is.EqualTo(101), "reach: Reset's frame and 100 steps");
            Assert.That(Frame("loaded"), Is.Zero);
            Assert.That(Frame("playing"), Is.GreaterThanOrEqualTo(3), "Play advanced the frames");
            Assert.That(r.GetProperty("playing").GetProperty("time").GetDouble(), Is.GreaterThan(0), "and the clock");
            Assert.That(Playing("paused"), Is.False, "Pause stopped it");
            Assert.That(Frame("stillPaused"), Is.EqualTo(Frame("paused")), "nothing moved while paused");
            Assert.That(Frame("scrubbed"), Is.EqualTo(r.GetProperty("scrubbedTo").GetInt32()), "the scrub bar shows the frame it was dragged to");
            Assert.That(r.GetProperty("secondEpisode").GetProperty("episode").GetInt32(), Is.EqualTo(1));
            Assert.That(Frame("secondEpisode"), Is.Zero, "a newly chosen episode starts at its first frame");
            Assert.That(r.GetProperty("loaded").GetProperty("kinematicsError").GetDouble(), Is.LessThan(1e-4),
                "the page's forward kinematics land on the simulator's end effector (m)");
        });

        using var shot = new Screenshot(Path.Combine(output, "arm.png"));
        var arm = Box(r.GetProperty("armBox"), margin: 12);
        var around = Box(r.GetProperty("armBox"), margin: 80);
        var curves = Box(r.GetProperty("curvesBox"), margin: 0);
        var inside = shot.Count(arm, Screenshot.IsArmOrange);
        // The 3D view is everything left of the curves' panel and below the header.
        var elsewhere = shot.Count(new SKRectI(0, 60, curves.Left - 20, shot.Height - 60), Screenshot.IsArmOrange, except: around);
        var corner = shot[20, 70];
        var line = shot.Count(curves, Screenshot.IsCurveBlue);
        TestContext.Out.WriteLine($"arm box {arm}: {inside.Matching} of {inside.Total} px orange; elsewhere {elsewhere.Matching} of {elsewhere.Total}; " +
            $"background {corner}; curves {line.Matching} px of line colour");
        Assert.Multiple(() =>
        {
            Assert.That(inside.Matching, Is.GreaterThan(Math.Max(1500, inside.Total / 20)), "the arm's orange fills part of the box its joints project to");
            Assert.That(elsewhere.Matching, Is.LessThan(elsewhere.Total / 200 + 50), "and hardly appears away from it");
            Assert.That(Screenshot.IsArmOrange(corner), Is.False, "the empty background is not arm-coloured");
            Assert.That(corner.Blue, Is.GreaterThan(corner.Red), "the empty scene there (floor or sky) is blue-grey");
            Assert.That(line.Matching, Is.GreaterThan(100), "the learning curves are drawn");
        });
    }

    private static SKRectI Box(JsonElement box, int margin) => new(
        (int)Math.Floor(box.GetProperty("left").GetDouble()) - margin, (int)Math.Floor(box.GetProperty("top").GetDouble()) - margin,
        (int)Math.Ceiling(box.GetProperty("right").GetDouble()) + margin, (int)Math.Ceiling(box.GetProperty("bottom").GetDouble()) + margin);
}
