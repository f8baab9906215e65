using NafNative.Naf;
using NUnit.Framework;

namespace NafNative.Tests.Naf;

/// <summary>The training step's contract: it descends, allocates nothing after warm-up, averages the target exactly
/// as documented, counts steps, clips, rejects bad batches, and is deterministic.</summary>
public sealed class NafTrainerTests
{
    private static NafOptions Small(int seed, float? maxGradientNorm = null, float learningRate = 1e-3f, float tau = 0.001f,
        float discount = 0.99f) => new()
    {
        ObservationSize = 4, ActionSize = 2, HiddenSizes = [16, 16], BatchSize = 8, Seed = seed,
        MaxGradientNorm = maxGradientNorm, LearningRate = learningRate, TargetUpdateRate = tau, Discount = discount,
    };

    [TestCase(0f, 0f, TestName = "Step_FixedRegressionBatchWithZeroDiscount_LossDecreasesMonotonically")]
    [TestCase(0.99f, 1f, TestName = "Step_FixedRegressionBatchAllTerminal_LossDecreasesMonotonically")]
    public void Step_FixedRegressionBatch_LossDecreasesMonotonically(float discount, float terminated)
    {
        // With γ = 0 or every transition terminal, y = r does not depend on θ′: the TD loss is a fixed regression
        // loss, and at a small learning rate (Adam moves each weight ≤ ~lr per step) each step must descend.
        int seed = TestData.SeedFor(310, (int)(discount * 100), (int)terminated);
        var options = Small(seed, learningRate: 1e-4f, discount: discount) with { BatchSize = 16 };
        var trainer = new NafTrainer(options);
        var batch = TransitionBatch.Random(options, new Random(seed));
        Array.Fill(batch.Terminated, terminated);

        float previous = batch.StepOn(trainer);
        for (int step = 1; step < 20; step++)
        {
            float loss = batch.StepOn(trainer);
            Assert.That(loss, Is.LessThan(previous), $"seed {seed}: the loss rose at step {step} ({previous:R} → {loss:R})");
            previous = loss;
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Step_AfterWarmUp_AllocatesZeroBytes(bool clip)
    {
        // The shape (obs 20, act 7, 2×100, batch 64). A correctness property, not a timing: the tape's arena
        // and every buffer reached their size in the warm-up step.
        int seed = TestData.SeedFor(311, clip ? 1 : 0);
        var options = new NafOptions
        {
            ObservationSize = 20, ActionSize = 7, Seed = seed, MaxGradientNorm = clip ? 0.01f : null,
        };
        var trainer = new NafTrainer(options);
        var batch = TransitionBatch.Random(options, new Random(seed));
        batch.StepOn(trainer);
        batch.StepOn(trainer);

        float sink = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) sink += batch.StepOn(trainer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero, $"seed {seed}: bytes allocated by 20 steps, clip {clip} (loss sum {sink})");
    }

    [Test]
    public void Step_OneUpdate_TargetIsExactPolyakAverageOfNewOnlineAndOldTarget()
    {
        // θ′ ← τθ + (1 − τ)θ′ with θ the post-Adam parameters; the kernel evaluates it as θ′ + τ(θ − θ′) (one rounding
        // fewer than τθ + (1 − τ)θ′), so the float recomputation below uses that form and must agree bit for bit.
        int seed = TestData.SeedFor(312);
        const float tau = 0.25f;
        var options = Small(seed, tau: tau);
        var trainer = new NafTrainer(options);
        var rng = new Random(seed);
        for (int i = 0; i < trainer.Target.Length; i++) trainer.Target[i] += 0.05f * (2 * rng.NextSingle() - 1);
        float[] oldTarget = (float[])trainer.Target.Clone(), oldOnline = (float[])trainer.Online.Values.Clone();

        TransitionBatch.Random(options, rng).StepOn(trainer);

        var expected = new float[oldTarget.Length];
        for (int i = 0; i < expected.Length; i++) expected[i] = oldTarget[i] + tau * (trainer.Online.Values[i] - oldTarget[i]);
        BitExact.AssertEqual(trainer.Target, expected, $"seed {seed}: θ′ after one step with τ = {tau}");
        Assert.That(trainer.Online.Values, Is.Not.EqualTo(oldOnline).AsCollection, $"seed {seed}: Adam moved θ");
        // The paper's form agrees to rounding: each form rounds ≤ 3 times at ≤ ½ ulp of the operands' scale.
        for (int i = 0; i < expected.Length; i++)
        {
            float paper = tau * trainer.Online.Values[i] + (1 - tau) * oldTarget[i];
            float scale = Math.Max(Math.Abs(trainer.Online.Values[i]), Math.Abs(oldTarget[i]));
            float ulp = MathF.BitIncrement(scale) - scale;
            Assert.That(Math.Abs(trainer.Target[i] - paper), Is.LessThanOrEqualTo(3 * ulp), $"seed {seed}: element {i} vs τθ + (1 − τ)θ′");
        }
    }

    [Test]
    public void Steps_CountsAppliedUpdatesOnly()
    {
        int seed = TestData.SeedFor(313);
        var options = Small(seed);
        var trainer = new NafTrainer(options);
        var batch = TransitionBatch.Random(options, new Random(seed));
        Assert.That(trainer.Steps, Is.Zero, "a new trainer");
        batch.ComputeGradientsOn(trainer);
        Assert.That(trainer.Steps, Is.Zero, "ComputeGradients alone");
        trainer.ApplyGradients();
        Assert.That(trainer.Steps, Is.EqualTo(1), "after ApplyGradients");
        for (int i = 0; i < 4; i++) batch.StepOn(trainer);
        Assert.That(trainer.Steps, Is.EqualTo(5), "after four more Steps");
    }

    [Test]
    public void ApplyGradients_NormAboveMax_ReportsPreClipNormAndClipsToMax()
    {
        int seed = TestData.SeedFor(314);
        const float max = 0.01f;
        var trainer = new NafTrainer(Small(seed, maxGradientNorm: max));
        TransitionBatch.Random(trainer.Options, new Random(seed)).ComputeGradientsOn(trainer);
        float[] raw = (float[])trainer.Online.Gradients.Clone();
        double norm = Norm(raw);
        Assert.That(norm, Is.GreaterThan(10 * max), $"seed {seed}: the fixture must need clipping");

        trainer.ApplyGradients();

        // A float32 dot of K = 454 squares (all positive, no cancellation) against a double one: relative error
        // ≤ K·2⁻²⁴ ≈ 3e-5 in the worst case; the norm's square root halves it.
        Assert.That(trainer.LastGradientNorm, Is.EqualTo(norm).Within(4e-5 * norm), $"seed {seed}: LastGradientNorm is the pre-clip norm");
        // Scaling by max/‖g‖₃₂ gives norm max·‖g‖/‖g‖₃₂: within the same bound of max, plus one rounding per element.
        double clipped = Norm(trainer.Online.Gradients);
        Assert.That(clipped, Is.LessThanOrEqualTo(max * (1 + 4e-5)).And.GreaterThan(max * (1 - 4e-5)),
            $"seed {seed}: the clipped gradient's norm (max {max})");
        for (int i = 0; i < raw.Length; i++)
        {
            double expected = raw[i] * (max / norm);
            Assert.That(trainer.Online.Gradients[i], Is.EqualTo(expected).Within(5e-5 * Math.Abs(expected)),
                $"seed {seed}: element {i} keeps its direction");
        }
    }

    [Test]
    public void ApplyGradients_NormBelowMax_LeavesGradientUntouched()
    {
        int seed = TestData.SeedFor(315);
        var trainer = new NafTrainer(Small(seed, maxGradientNorm: 1e6f));
        TransitionBatch.Random(trainer.Options, new Random(seed)).ComputeGradientsOn(trainer);
        float[] raw = (float[])trainer.Online.Gradients.Clone();

        trainer.ApplyGradients();

        BitExact.AssertEqual(trainer.Online.Gradients, raw, $"seed {seed}: gradient under the max");
        Assert.That(trainer.LastGradientNorm, Is.EqualTo(Norm(raw)).Within(4e-5 * Norm(raw)), $"seed {seed}: LastGradientNorm");
    }

    [Test]
    public void ApplyGradients_NoClipping_ReportsGradientNorm()
    {
        int seed = TestData.SeedFor(316);
        var trainer = new NafTrainer(Small(seed));
        TransitionBatch.Random(trainer.Options, new Random(seed)).ComputeGradientsOn(trainer);
        double norm = Norm(trainer.Online.Gradients);
        trainer.ApplyGradients();
        Assert.That(trainer.LastGradientNorm, Is.EqualTo(norm).Within(4e-5 * norm), $"seed {seed}: LastGradientNorm");
    }

    [TestCase(0, -1, TestName = "Step_ObservationsOneShort_ThrowsArgumentExceptionNamingShapes")]
    [TestCase(1, +1, TestName = "Step_ActionsOneLong_ThrowsArgumentExceptionNamingShapes")]
    [TestCase(2, -1, TestName = "Step_RewardsOneShort_ThrowsArgumentExceptionNamingShapes")]
    [TestCase(3, +4, TestName = "Step_NextObservationsOneRowLong_ThrowsArgumentExceptionNamingShapes")]
    [TestCase(4, -8, TestName = "Step_TerminatedEmpty_ThrowsArgumentExceptionNamingShapes")]
    public void Step_BadBatchLength_ThrowsArgumentExceptionNamingShapes(int which, int delta)
    {
        int seed = TestData.SeedFor(317, which);
        var options = Small(seed); // obs 4, act 2, batch 8
        var trainer = new NafTrainer(options);
        var good = TransitionBatch.Random(options, new Random(seed));
        float[][] spans = [good.Observations, good.Actions, good.Rewards, good.NextObservations, good.Terminated];
        spans[which] = new float[spans[which].Length + delta];
        float[] before = (float[])trainer.Online.Values.Clone();

        var ex = Assert.Throws<ArgumentException>(() => trainer.Step(spans[0], spans[1], spans[2], spans[3], spans[4]));

        Assert.That(ex.Message, Does.Contain("NafTrainer.Step").And.Contain("[8×4]").And.Contain("[8×2]").And.Contain("[8]")
            .And.Contain($"[{spans[which].Length}]"), $"seed {seed}: argument {which}");
        Assert.That(trainer.Steps, Is.Zero, "a rejected batch is not a step");
        BitExact.AssertEqual(trainer.Online.Values, before, "a rejected batch leaves θ alone");
    }

    [Test]
    public void Step_SameSeedAndBatches_BitIdenticalState()
    {
        int seed = TestData.SeedFor(318);
        var options = Small(seed, maxGradientNorm: 1f, tau: 0.01f);
        var a = new NafTrainer(options);
        var b = new NafTrainer(options);
        TransitionBatch[] batches = TransitionBatch.Sequence(options, seed, 15);
        for (int k = 0; k < batches.Length; k++)
        {
            float la = batches[k].StepOn(a), lb = batches[k].StepOn(b);
            Assert.That(BitConverter.SingleToInt32Bits(lb), Is.EqualTo(BitConverter.SingleToInt32Bits(la)), $"seed {seed}: loss of step {k}");
        }
        BitExact.AssertEqual(b.Online.Values, a.Online.Values, $"seed {seed}: θ");
        BitExact.AssertEqual(b.Target, a.Target, $"seed {seed}: θ′");
        BitExact.AssertEqual(b.AdamFirstMoment, a.AdamFirstMoment, $"seed {seed}: Adam m");
        BitExact.AssertEqual(b.AdamSecondMoment, a.AdamSecondMoment, $"seed {seed}: Adam v");

        var other = new NafTrainer(options with { Seed = seed + 1 });
        Assert.That(other.Online.Values, Is.Not.EqualTo(new NafTrainer(options).Online.Values).AsCollection,
            $"seed {seed} vs {seed + 1}: the seed must matter");
    }

    private static double Norm(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (float v in values) sum += (double)v * v;
        return Math.Sqrt(sum);
    }
}
