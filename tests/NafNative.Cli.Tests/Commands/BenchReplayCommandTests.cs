using System.Text.Json;
using NUnit.Framework;

namespace NafNative.Cli.Tests.Commands;

[TestFixture]
public sealed class BenchReplayCommandTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    [Test]
    public void BenchReplay_Json_PrintsOneObjectWithRequiredFields()
    {
        var (exit, stdout, stderr) = Run("bench", "replay", "--producers", "2", "--capacity", "1024", "--batch", "32",
            "--obs", "5", "--act", "3", "--seconds", "0.2", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(stdout.Trim().Split('\n'), Has.Length.EqualTo(1), "--json prints exactly one line");
            Assert.That(root.GetProperty("inserts_per_s").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("sample_batches_per_s").GetDouble(), Is.GreaterThan(0));
            // A torn retry needs a writer inside the very slot being copied: with 1024 slots and 2 producers a few rows
            // in 10,000 (measured: 214 of 377,000), so a count of more than 5% of the sampled rows is a counting error.
            double sampledRows = root.GetProperty("seconds").GetDouble() * root.GetProperty("sampled_transitions_per_s").GetDouble();
            Assert.That(root.GetProperty("torn_retries").GetInt64(), Is.InRange(0, 0.05 * sampledRows), $"of {sampledRows:F0} sampled rows");
            Assert.That(root.GetProperty("superseded").GetInt64(), Is.InRange(0, root.GetProperty("inserted").GetInt64() - 1024),
                "only an insert that a whole ring of newer ones lapped is superseded");
            Assert.That(root.GetProperty("sampled_transitions_per_s").GetDouble(),
                Is.EqualTo(root.GetProperty("sample_batches_per_s").GetDouble() * 32).Within(1e-6).Percent);
            Assert.That(root.GetProperty("producers").GetInt32(), Is.EqualTo(2));
            Assert.That(root.GetProperty("capacity").GetInt32(), Is.EqualTo(1024));
            Assert.That(root.GetProperty("batch").GetInt32(), Is.EqualTo(32));
            Assert.That(root.GetProperty("obs").GetInt32(), Is.EqualTo(5));
            Assert.That(root.GetProperty("act").GetInt32(), Is.EqualTo(3));
            Assert.That(root.GetProperty("inserted").GetInt64(), Is.GreaterThan(1024), "prefill plus the producers' inserts");
        });
    }

    [Test]
    public void BenchReplay_NoProducers_SamplesTheFullRingAlone()
    {
        var (exit, stdout, stderr) = Run("bench", "replay", "--producers", "0", "--capacity", "64", "--seconds", "0.1", "--json");

        Assert.That(exit, Is.Zero, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Multiple(() =>
        {
            Assert.That(doc.RootElement.GetProperty("inserts_per_s").GetDouble(), Is.Zero);
            Assert.That(doc.RootElement.GetProperty("sample_batches_per_s").GetDouble(), Is.GreaterThan(0));
            Assert.That(doc.RootElement.GetProperty("torn_retries").GetInt64(), Is.Zero, "nothing writes, nothing tears");
        });
    }

    [Test]
    public void BenchReplay_Text_PrintsRatesOnOneLine()
    {
        var (exit, stdout, stderr) = Run("bench", "replay", "--capacity", "256", "--seconds", "0.1");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("inserts/s").And.Contain("batches/s").And.Contain("torn retries"));
    }

    [TestCase("--capacity", "1000", "--capacity must be a power of two in [1, 16777216], got 1000")]
    [TestCase("--capacity", "0", "--capacity must be a power of two")]
    [TestCase("--capacity", "33554432", "--capacity must be a power of two in [1, 16777216]")]
    [TestCase("--producers", "-1", "--producers must be an integer in [0, 256], got -1")]
    [TestCase("--batch", "0", "--batch must be an integer in [1, 65536], got 0")]
    [TestCase("--obs", "0", "--obs must be an integer in [1, 4096]")]
    [TestCase("--act", "5000", "--act must be an integer in [1, 4096]")]
    [TestCase("--seconds", "0", "--seconds must be in (0, 3600]")]
    public void BenchReplay_BadOption_FailsWithMessageNamingIt(string option, string value, string message)
    {
        var (exit, stdout, stderr) = Run("bench", "replay", option, value, "--json");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain(message));
            Assert.That(stdout, Does.Not.Contain("inserts_per_s"), "nothing is measured after a usage error");
        });
    }

    [Test]
    public void BenchReplay_RingTooLargeForOneArray_FailsWithTheRingsMessage()
    {
        var (exit, stdout, stderr) = Run("bench", "replay", "--capacity", "16777216", "--obs", "4096", "--seconds", "0.1", "--json");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(stderr, Does.Contain("bench replay:").And.Contain("exceeds one array"));
            Assert.That(stdout, Is.Empty);
        });
    }
}
