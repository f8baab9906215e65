using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Naf;

/// <summary>A NaN or ∞ loss or gradient must never reach θ, θ′ or Adam's moments: the update is skipped and
/// counted, too many in a row stop training, and a non-finite state is never checkpointed.</summary>
public sealed class NafTrainerNonFiniteTests
{
    private static NafOptions Small(int maxInARow = 100, float? maxGradientNorm = null) => new()
    {
        ObservationSize = 4, ActionSize = 2, HiddenSizes = [16, 16], BatchSize = 8, Seed = 5,
        MaxGradientNorm = maxGradientNorm, MaxConsecutiveNonFiniteUpdates = maxInARow,
    };

    private static (float[] Online, float[] Target, float[] M, float[] V) State(NafTrainer t) =>
        ((float[])t.Online.Values.Clone(), (float[])t.Target.Clone(), (float[])t.AdamFirstMoment.Clone(), (float[])t.AdamSecondMoment.Clone());

    private static void AssertUnchanged(NafTrainer t, (float[] Online, float[] Target, float[] M, float[] V) before)
    {
        Assert.Multiple(() =>
        {
            Assert.That(t.Online.Values, Is.EqualTo(before.Online), "θ");
            Assert.That(t.Target, Is.EqualTo(before.Target), "θ′");
            Assert.That(t.AdamFirstMoment, Is.EqualTo(before.M), "m");
            Assert.That(t.AdamSecondMoment, Is.EqualTo(before.V), "v");
        });
    }

    [TestCase(float.NaN, null)]
    [TestCase(float.PositiveInfinity, null)]
    [TestCase(float.NaN, 1f)] // clipping does not catch NaN: norm > max is false
    public void Step_NonFiniteReward_SkipsAndCountsLeavingStateUnchanged(float badReward, float? maxNorm)
    {
        var options = Small(maxGradientNorm: maxNorm);
        var trainer = new NafTrainer(options);
        var good = TransitionBatch.Random(options, new Random(1));
        good.StepOn(trainer); // Adam's moments are non-zero from here
        var before = State(trainer);

        var bad = TransitionBatch.Random(options, new Random(2));
        bad.Rewards[3] = badReward;
        float loss = bad.StepOn(trainer);

        Assert.That(float.IsFinite(loss), Is.False, "the returned loss shows the bad batch");
        AssertUnchanged(trainer, before);
        Assert.Multiple(() =>
        {
            Assert.That(trainer.NonFiniteUpdates, Is.EqualTo(1));
            Assert.That(trainer.ConsecutiveNonFiniteUpdates, Is.EqualTo(1));
            Assert.That(trainer.Steps, Is.EqualTo(2), "the skipped update still counts as run (Adam's t, as on the GPU)");
        });

        good.StepOn(trainer);
        Assert.That(trainer.Online.Values, Is.Not.EqualTo(before.Online), "a finite batch afterwards updates again");
        Assert.That((trainer.NonFiniteUpdates, trainer.ConsecutiveNonFiniteUpdates), Is.EqualTo((1L, 0)));
        Assert.That(trainer.Online.Values.All(float.IsFinite), Is.True);
    }

    [Test]
    public void Step_TooManyNonFiniteInARow_ThrowsNamingCountAndRemedies()
    {
        var options = Small(maxInARow: 3);
        var trainer = new NafTrainer(options);
        var bad = TransitionBatch.Random(options, new Random(2));
        bad.Rewards[0] = float.NaN;
        bad.StepOn(trainer);
        bad.StepOn(trainer);
        var e = Assert.Throws<InvalidOperationException>(() => bad.StepOn(trainer));
        Assert.That(e!.Message, Does.Contain("3 updates in a row").And.Contain("non-finite").And.Contain("learning rate"));
        Assert.That(trainer.Online.Values.All(float.IsFinite), Is.True, "the state is still the last finite one");
    }

    [Test]
    public void Save_NonFiniteParameter_RefusesNamingFileAndKeepsThePreviousOne()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"nafnative-nonfinite-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "checkpoint.naf");
            var trainer = new NafTrainer(Small());
            NafCheckpoint.Save(trainer, path);
            byte[] good = File.ReadAllBytes(path);

            trainer.Online.Values[7] = float.NaN;
            var e = Assert.Throws<ArgumentException>(() => NafCheckpoint.Save(trainer, path));
            Assert.That(e!.Message, Does.Contain(path).And.Contain("θ [7] is NaN").And.Contain("not written"));
            trainer.Online.Values[7] = 0f;
            trainer.AdamSecondMoment[2] = float.PositiveInfinity;
            Assert.That(() => NafCheckpoint.Save(trainer, path), Throws.ArgumentException.With.Message.Contains("second moment"));

            Assert.That(File.ReadAllBytes(path), Is.EqualTo(good), "the earlier checkpoint is untouched");
            Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary file is left behind");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
