using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Naf;

[TestFixture]
public sealed class UpdateBreakdownTests
{
    private static readonly NafOptions Options = new() { ObservationSize = 20, ActionSize = 7, HiddenSizes = [100, 100], BatchSize = 64, Seed = 3 };

    [Test]
    public void Attached_UpdatesAreBitIdenticalToUntimedOnes()
    {
        var batches = TransitionBatch.Sequence(Options, seed: 5, count: 20);
        var plain = new NafTrainer(Options);
        var timed = new NafTrainer(Options) { Breakdown = new UpdateBreakdown() };

        foreach (var b in batches)
            Assert.That(b.StepOn(timed), Is.EqualTo(b.StepOn(plain)), "same loss");

        Assert.Multiple(() =>
        {
            Assert.That(timed.Online.Values, Is.EqualTo(plain.Online.Values), "timing changes no arithmetic");
            Assert.That(timed.Target, Is.EqualTo(plain.Target));
            Assert.That(timed.Breakdown!.Updates, Is.EqualTo(20));
        });
    }

    [Test]
    public void Read_EveryPhaseNamedOnceWithTimeAndGemmFlopsPerLayer()
    {
        var trainer = new NafTrainer(Options) { Breakdown = new UpdateBreakdown() };
        foreach (var b in TransitionBatch.Sequence(Options, seed: 6, count: 50)) b.StepOn(trainer);

        var rows = trainer.Breakdown!.Read(trainer.Network, Options.BatchSize);
        var names = rows.Select(r => r.Name).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(names, Is.Unique);
            Assert.That(names, Has.Member("target forward (θ′, x′)").And.Member("online forward (θ, x)").And.Member("Adam").And.Member("Polyak θ′"));
            Assert.That(names.Where(n => n.StartsWith("backward: layer", StringComparison.Ordinal)),
                Is.EqualTo(new[] { "backward: layer 3 (100→36)", "backward: layer 2 (100→100)", "backward: layer 1 (20→100)" }),
                "one row per Linear layer, output layer first (36 = 1 + 7 + 28 head outputs)");
            Assert.That(rows.Select(r => r.Microseconds), Is.All.GreaterThanOrEqualTo(0));
            Assert.That(rows.Sum(r => r.Microseconds), Is.GreaterThan(0));
            // GEMM FLOPs: forward 2·B·Σ in·out; layer l's backward 2·B·in·out for weights, the same again for inputs
            // except the first layer.
            double forward = 2.0 * 64 * (20 * 100 + 100 * 100 + 100 * 36);
            Assert.That(rows.Single(r => r.Name.StartsWith("online forward", StringComparison.Ordinal)).Flops, Is.EqualTo(forward));
            Assert.That(rows.Single(r => r.Name == "backward: layer 2 (100→100)").Flops, Is.EqualTo(2.0 * 2 * 64 * 100 * 100));
            Assert.That(rows.Single(r => r.Name == "backward: layer 1 (20→100)").Flops, Is.EqualTo(2.0 * 64 * 20 * 100));
            Assert.That(rows.Where(r => r.Flops > 0).Sum(r => r.Flops), Is.EqualTo(trainer.Network.UpdateFlops(64)),
                "the phases' FLOPs add up to the update's");
        });
    }

    [Test]
    public void Attached_UpdateAllocatesNothing()
    {
        var trainer = new NafTrainer(Options) { Breakdown = new UpdateBreakdown() };
        var batches = TransitionBatch.Sequence(Options, seed: 7, count: 4);
        foreach (var b in batches) b.StepOn(trainer); // warm-up: arenas, node-tick buffer
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) batches[i % 4].StepOn(trainer);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
