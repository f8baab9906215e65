using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>Mean squared error and its gradient against plain loops, on every forced SIMD path.</summary>
[TestFixture(SimdWidth.Scalar)]
[TestFixture(SimdWidth.Vector256)]
[TestFixture(SimdWidth.Vector512)]
public sealed class LossTests(SimdWidth width)
{
    private const int MaxUlp = 4;

    private static float F(double value) => (float)value;

    [Test]
    public void MeanSquaredError_RandomInputs_WithinSummationBound([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int n)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(41, n);
        var rng = new Random(seed);
        float[] prediction = TestData.Uniform(rng, n), target = TestData.Uniform(rng, n);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double d = (double)prediction[i] - target[i];
            sum += d * d;
        }
        double expected = n == 0 ? 0 : sum / n;
        // Each term (p − t)² is rounded twice (difference, square: ≈ 3 half-ulps with the squared first error), the
        // sum adds at most n − 1 roundings and the division one: ≤ (n + 3)·2⁻²⁴ relative to Σ(p − t)²/n. The
        // conventions' K·2⁻²³ with K = n + 4 covers it (plain K = n would not for n < 3).
        double bound = (n + 4) * Tolerance.Step * expected + Tolerance.Tiny;

        float got = Loss.MeanSquaredError(prediction, target);

        Tolerance.AssertWithin(got, expected, bound, TestData.Describe(width, seed, $"n={n}"));
    }

    [Test]
    public void MeanSquaredError_EmptySpans_ReturnsZero()
    {
        using var _ = SimdPath.Force(width);
        Assert.That(Loss.MeanSquaredError([], []), Is.Zero);
    }

    [Test]
    public void MeanSquaredErrorBackward_PrefilledGradient_AddsScaledDifference(
        [ValueSource(typeof(TestData), nameof(TestData.Lengths))] int n)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(42, n);
        var rng = new Random(seed);
        float dLoss = 4f * rng.NextSingle() - 2f;
        float[] prediction = TestData.Uniform(rng, n), target = TestData.Uniform(rng, n), grad = TestData.Uniform(rng, n);
        var expected = new float[n];
        // The kernel's float steps: s = (2·dL)/n once, then dp += s·(p − t) per element.
        float scale = n == 0 ? 0f : F(F(2.0 * dLoss) / (double)n);
        for (int i = 0; i < n; i++)
            expected[i] = F(grad[i] + (double)F(scale * (double)F((double)prediction[i] - target[i])));

        Loss.MeanSquaredErrorBackward(prediction, target, dLoss, grad);

        Tolerance.AssertUlp(grad, expected, MaxUlp, TestData.Describe(width, seed, $"n={n}, dLoss={dLoss:R}"));
    }

    [Test]
    public void MeanSquaredError_LengthsDiffer_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Loss.MeanSquaredError(new float[4], new float[5]),
            "Loss.MeanSquaredError", "prediction has shape [4]", "target has shape [5]");

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    public void MeanSquaredError_NonFiniteTarget_ThrowsNamingOperationIndexAndShape(float poison)
    {
        float[] target = [0.5f, 1f, poison, 2f, 3f];
        var ex = BadInput.AssertRejected(() => Loss.MeanSquaredError(new float[5], target),
            "Loss.MeanSquaredError", "target [5]", $"holds {poison.ToString(System.Globalization.CultureInfo.InvariantCulture)} at index 2", "finite");
        Assert.That(ex.ParamName, Is.EqualTo("target"));
    }

    [Test]
    public void MeanSquaredErrorBackward_TargetLengthDiffers_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Loss.MeanSquaredErrorBackward(new float[4], new float[3], 1f, new float[4]),
            "Loss.MeanSquaredErrorBackward", "prediction has shape [4]", "target has shape [3]");

    [Test]
    public void MeanSquaredErrorBackward_GradientLengthDiffers_ThrowsNamingOperationAndShapes() =>
        BadInput.AssertRejected(() => Loss.MeanSquaredErrorBackward(new float[4], new float[4], 1f, new float[6]),
            "Loss.MeanSquaredErrorBackward", "prediction has shape [4]", "dPrediction has shape [6]");
}
