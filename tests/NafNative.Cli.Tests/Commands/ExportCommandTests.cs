using System.Text.Json;
using NafNative.Interop.Onnx;
using NafNative.Learning;
using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

/// <summary>naf export: which checkpoint it exports and its errors (the model's numbers are checked against ONNX
/// Runtime in NafNative.Tests' OnnxPolicyTests).</summary>
[TestFixture]
public sealed class ExportCommandTests
{
    private string _root = "";
    private string _run = "";

    [OneTimeSetUp]
    public void Train()
    {
        _root = Directory.CreateTempSubdirectory("naf-export-").FullName;
        _run = Path.Combine(_root, "p");
        var (exit, _, stderr) = CliRunner.Run("train", "--task", "pendulum", "--workers", "1", "--steps", "3000", "--seed", "5", "--out", _run);
        Assert.That(exit, Is.Zero, stderr);
    }

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [TestCase("best", RunFolder.BestCheckpointFile)]
    [TestCase("latest", RunFolder.CheckpointFile)]
    public void Export_Checkpoint_WritesThatCheckpointsPolicy(string which, string file)
    {
        string onnx = Path.Combine(_root, $"{which}.onnx");
        var (exit, stdout, stderr) = CliRunner.Run("export", "--run", _run, "--onnx", onnx, "--checkpoint", which, "--json");
        Assert.That(exit, Is.Zero, stderr);

        string checkpoint = Path.Combine(_run, file);
        var trainer = NafCheckpoint.Load(checkpoint);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Multiple(() =>
        {
            Assert.That(doc.RootElement.GetProperty("checkpoint").GetString(), Is.EqualTo(checkpoint));
            Assert.That(doc.RootElement.GetProperty("observation_size").GetInt32(), Is.EqualTo(3));
            Assert.That(doc.RootElement.GetProperty("action_size").GetInt32(), Is.EqualTo(1));
            var metadata = new Dictionary<string, string> { ["naf.checkpoint"] = checkpoint, ["naf.updates"] = trainer.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            Assert.That(File.ReadAllBytes(onnx), Is.EqualTo(OnnxPolicy.Build(trainer.Network, trainer.Online.Values, metadata)));
        });
    }

    [Test]
    public void Export_NotARunFolder_FailsNamingIt()
    {
        var (exit, _, stderr) = CliRunner.Run("export", "--run", Path.Combine(_root, "none"), "--onnx", Path.Combine(_root, "x.onnx"));
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("none").And.Contain("config.json"));
    }

    [Test]
    public void Export_MissingOutputFolder_FailsNamingIt()
    {
        string onnx = Path.Combine(_root, "missing", "x.onnx");
        var (exit, _, stderr) = CliRunner.Run("export", "--run", _run, "--onnx", onnx);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(Path.Combine(_root, "missing")).And.Contain("does not exist"));
    }
}
