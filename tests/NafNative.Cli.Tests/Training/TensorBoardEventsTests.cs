using System.Globalization;
using System.Text.Json;
using NafNative.Cli.Training;
using NafNative.Interop.TensorBoard;
using NafNative.Learning;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Training;

/// <summary>The run folder's TensorBoard event file, read back by an independent reader (tests/tensorboard-reader:
/// protobufjs decoding TensorBoard's Event/Summary schema, @aws-crypto/crc32c checking every record's CRCs).</summary>
[TestFixture]
public sealed class TensorBoardEventsTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("naf-tb-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void Train_ShortRun_EventFileReadByIndependentReaderEqualsMetricsAndEvalsCsv()
    {
        string reader = NodeReaders.Require("tensorboard-reader");
        string run = Path.Combine(_root, "p");
        string config = Path.Combine(_root, "fast.json");
        File.WriteAllText(config, """{"metrics_every_seconds": 0.1, "eval_every_steps": 1500, "eval_episodes": 2}""");
        var (exit, _, stderr) = CliRunner.Run("train", "--task", "pendulum", "--workers", "1", "--steps", "6000", "--seed", "3",
            "--config", config, "--out", run);
        Assert.That(exit, Is.Zero, stderr);

        string[] files = EventFile.Find(run);
        Assert.That(files, Has.Length.EqualTo(1), "one event file per process");
        Assert.That(Path.GetFileName(files[0]), Does.Match(@"^events\.out\.tfevents\.\d{10}\.[A-Za-z0-9_-]+$"));
        using var doc = JsonDocument.Parse(NodeReaders.Run(reader, "read-events.js", files[0]));
        var root = doc.RootElement;
        var scalars = root.GetProperty("scalars");

        var metrics = Csv(Path.Combine(run, RunFolder.MetricsFile));
        var evals = Csv(Path.Combine(run, RunFolder.EvalsFile));
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("file_version").GetString(), Is.EqualTo("brain.Event:2"));
            Assert.That(metrics, Has.Count.GreaterThanOrEqualTo(3), "the test needs several metrics rows");
            Assert.That(evals, Has.Count.GreaterThanOrEqualTo(2), "the test needs several evaluations");
            // One record for the version, one for the settings, one per metrics row and per evaluation.
            Assert.That(root.GetProperty("records").GetInt32(), Is.EqualTo(2 + metrics.Count + evals.Count));
            Assert.That(root.GetProperty("texts").GetProperty("config").GetString(),
                Is.EqualTo("```json\n" + File.ReadAllText(Path.Combine(run, RunDirectory.ConfigFile)) + "\n```"));
        });

        // The tags users look for, written out here rather than taken from the table under test.
        (string Tag, string Column)[] expected =
        [
            ("charts/success_rate", "success_rate"), ("charts/mean_return", "mean_return"), ("losses/td", "loss"),
            ("perf/updates_per_s", "updates_per_s"), ("perf/steps_per_s", "steps_per_s"), ("replay/fill", "replay_fill"),
            ("safety/interventions", "safety_interventions"),
        ];
        foreach (var pair in expected) Assert.That(RunScalars.MetricsTags, Does.Contain(pair));
        foreach (var (tag, column) in RunScalars.MetricsTags) AssertSeries(scalars, tag, metrics, column);
        AssertSeries(scalars, "charts/eval_success_rate", evals, "success_rate");
        AssertSeries(scalars, "charts/eval_mean_return", evals, "mean_return");
        Assert.That(scalars.EnumerateObject().Count(), Is.EqualTo(RunScalars.MetricsTags.Count + 2), "no tag beyond the tables");
    }

    [Test]
    public void Train_Resume_AddsAnEventFileWhoseStepsContinueTheFirst()
    {
        string reader = NodeReaders.Require("tensorboard-reader");
        string run = Path.Combine(_root, "r");
        string config = Path.Combine(_root, "fast.json");
        File.WriteAllText(config, """{"metrics_every_seconds": 0.1, "eval_episodes": 1}""");
        Assert.That(CliRunner.Run("train", "--task", "pendulum", "--workers", "1", "--steps", "2000", "--config", config, "--out", run).Exit, Is.Zero);
        var (exit, _, stderr) = CliRunner.Run("train", "--resume", "--out", run, "--steps", "4000");
        Assert.That(exit, Is.Zero, stderr);

        string[] files = EventFile.Find(run);
        Assert.That(files, Has.Length.EqualTo(2), "the resumed process writes a file of its own");
        var steps = files.Select(f =>
        {
            using var doc = JsonDocument.Parse(NodeReaders.Run(reader, "read-events.js", f));
            Assert.That(doc.RootElement.GetProperty("texts").TryGetProperty("config", out _), Is.True, $"{f}: the settings");
            return doc.RootElement.GetProperty("scalars").GetProperty("perf/updates").EnumerateArray().Select(p => p.GetProperty("step").GetInt64()).ToList();
        }).ToList();
        var metricsSteps = Csv(Path.Combine(run, RunFolder.MetricsFile)).Select(r => long.Parse(r["env_steps"], CultureInfo.InvariantCulture));
        Assert.Multiple(() =>
        {
            Assert.That(steps[1].First(), Is.GreaterThan(steps[0].Last()), "env steps go on across the resume");
            Assert.That(steps[0].Concat(steps[1]), Is.EqualTo(metricsSteps), "together the files hold every metrics row");
        });
    }

    // The event holds the float32 value; the CSV its 6 significant digits (G6): equal within half a unit of the
    // sixth digit. A CSV cell left empty (NaN: no episode finished yet) has no event value.
    private static void AssertSeries(JsonElement scalars, string tag, List<Dictionary<string, string>> rows, string column)
    {
        var expected = rows.Where(r => r[column].Length > 0)
            .Select(r => (Step: long.Parse(r["env_steps"], CultureInfo.InvariantCulture), Value: double.Parse(r[column], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.That(scalars.TryGetProperty(tag, out var series), Is.True, $"tag {tag} missing");
        var got = series.EnumerateArray().Select(p => (Step: p.GetProperty("step").GetInt64(), Value: p.GetProperty("value").GetDouble())).ToList();
        Assert.That(got.Select(p => p.Step), Is.EqualTo(expected.Select(p => p.Step)), $"{tag}: steps are the rows' env_steps");
        for (int i = 0; i < expected.Count; i++)
            Assert.That(got[i].Value, Is.EqualTo(expected[i].Value).Within(5e-6 * Math.Abs(expected[i].Value) + 1e-30),
                $"{tag} at step {expected[i].Step} vs {column}");
    }

    private static List<Dictionary<string, string>> Csv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select((v, i) => (header[i], v)).ToDictionary(p => p.Item1, p => p.v)).ToList();
    }
}
