using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>Adam, Polyak averaging and gradient-norm clipping against double references, on every forced SIMD path.</summary>
/// <remarks>
/// Bounds use ε = <see cref="Tolerance.Step"/> = 2⁻²³, twice the unit roundoff u, so each bound below carries a
/// 2× margin over the rounding count it states. Hyperparameters enter the references as the floats the kernel was
/// given (widened exactly), so only the kernel's own arithmetic is measured.
/// </remarks>
[TestFixture(SimdWidth.Scalar)]
[TestFixture(SimdWidth.Vector256)]
[TestFixture(SimdWidth.Vector512)]
public sealed partial class OptimizersTests(SimdWidth width)
{
    /// <summary>Every length 0–55 (all splits into 16- and 8-lane blocks and a scalar tail), then a long one.</summary>
    public static IEnumerable<int> Lengths()
    {
        for (int n = 0; n <= 55; n++) yield return n;
        yield return 1000;
    }

    /// <summary>(learning rate, β₁, β₂, ε, gradient scale): PyTorch's defaults; the same with gradients so small
    /// that ε is a tenth of the denominator; and short memories with a large ε.</summary>
    private static readonly (float Lr, float Beta1, float Beta2, float Epsilon, float GradientScale)[] Settings =
    [
        (1e-3f, 0.9f, 0.999f, 1e-8f, 1f),
        (1e-3f, 0.9f, 0.999f, 1e-8f, 1e-7f),
        (0.1f, 0.5f, 0.75f, 1e-3f, 1f),
    ];

    public static IEnumerable<object[]> AdamCases()
    {
        foreach (int length in Lengths())
            for (int setting = 0; setting < Settings.Length; setting++)
                yield return [length, setting];
    }

    [TestCaseSource(nameof(AdamCases))]
    public void Adam_FiveStepsFromZeroState_EachStepMatchesDoubleReference(int length, int setting)
    {
        using var _ = SimdPath.Force(width);
        var (lr, beta1, beta2, epsilon, scale) = Settings[setting];
        int seed = TestData.SeedFor(80, length, setting);
        var rng = new Random(seed);
        float[] p = TestData.Uniform(rng, length);
        var m = new float[length];
        var v = new float[length];

        for (long step = 1; step <= 5; step++)
        {
            float[] g = TestData.Uniform(rng, length, -scale, scale);
            float[] p0 = (float[])p.Clone(), m0 = (float[])m.Clone(), v0 = (float[])v.Clone();

            Optimizers.Adam(p, g, m, v, lr, beta1, beta2, epsilon, step);

            // Moments from the previous float state: m = β₁m + (1−β₁)g rounds three times (two products, one sum),
            // v = β₂v + (1−β₂)g·g four; each rounding is at most u·(|β·old| + |(1−β)·new|). 1 − β is exact in float
            // (Sterbenz), so the reference's (1 − β) is the kernel's.
            var mRef = new double[length];
            var vRef = new double[length];
            var mBound = new double[length];
            var vBound = new double[length];
            for (int i = 0; i < length; i++)
            {
                double a = (double)beta1 * m0[i], b = (1.0 - beta1) * g[i];
                mRef[i] = a + b;
                mBound[i] = 2 * Tolerance.Step * (Math.Abs(a) + Math.Abs(b)) + Tolerance.Tiny;
                a = (double)beta2 * v0[i];
                b = (1.0 - beta2) * g[i] * g[i];
                vRef[i] = a + b;
                vBound[i] = 2 * Tolerance.Step * (Math.Abs(a) + Math.Abs(b)) + Tolerance.Tiny;
            }

            // The parameter update from the kernel's new (already checked) m and v, PyTorch's formula in double:
            // θ − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε). The float step is a product/quotient chain of about seven
            // roundings (both bias corrections, √v, ×, +ε, ×m, ÷): relative error ≤ 4ε; then θ − Δ rounds once.
            double stepSize = lr / (1 - Math.Pow(beta1, step));
            double rootBias2 = Math.Sqrt(1 - Math.Pow(beta2, step));
            var pRef = new double[length];
            var pBound = new double[length];
            for (int i = 0; i < length; i++)
            {
                double delta = stepSize * m[i] / (Math.Sqrt(v[i]) / rootBias2 + epsilon);
                pRef[i] = p0[i] - delta;
                pBound[i] = Tolerance.Step * Math.Abs(pRef[i]) + AdamStepRelative * Math.Abs(delta) + Tolerance.Tiny;
            }

            string context = TestData.Describe(width, seed, $"length={length}, setting={setting}, step={step}");
            Tolerance.AssertWithin(m, mRef, mBound, context + ", m");
            Tolerance.AssertWithin(v, vRef, vBound, context + ", v");
            Tolerance.AssertWithin(p, pRef, pBound, context + ", θ");
        }
    }

    /// <summary>Relative error allowed in one Adam step Δ: about seven roundings, 4ε with the 2× margin (measured:
    /// passes at 2ε, fails at ε). With the bias corrections in float this needed ~100ε: see Optimizers.Adam.</summary>
    private const double AdamStepRelative = 4 * Tolerance.Step;

    [Test]
    public void Adam_FirstStepFromZeroState_MovesEachParameterByLearningRateAgainstGradientSign()
    {
        // Bias correction makes the first step exactly lr·g/(|g| + ε): with |g| ≫ ε, lr against the gradient's sign.
        using var _ = SimdPath.Force(width);
        const int length = 37;
        int seed = TestData.SeedFor(81, length);
        var rng = new Random(seed);
        float[] p = TestData.Uniform(rng, length);
        float[] p0 = (float[])p.Clone();
        float[] g = TestData.Uniform(rng, length, 0.1f, 1f);
        for (int i = 0; i < length; i += 2) g[i] = -g[i];

        Optimizers.Adam(p, g, new float[length], new float[length], 1e-2f, 0.9f, 0.999f, 1e-8f, step: 1);

        for (int i = 0; i < length; i++)
            Assert.That(p0[i] - p[i], Is.EqualTo(1e-2 * Math.Sign(g[i])).Within(1e-6),
                TestData.Describe(width, seed, $"element {i}, g={g[i]:R}"));
    }

    [TestCaseSource(nameof(Lengths))]
    public void Polyak_RandomInputs_MatchesTauOnlinePlusOneMinusTauTarget(int length)
    {
        using var _ = SimdPath.Force(width);
        foreach (float tau in new[] { 0.005f, 0.5f, 1f })
        {
            int seed = TestData.SeedFor(82, length, (int)(tau * 1000));
            var rng = new Random(seed);
            float[] online = TestData.Uniform(rng, length), target = TestData.Uniform(rng, length);
            var expected = new double[length];
            var bound = new double[length];
            for (int i = 0; i < length; i++)
            {
                expected[i] = (double)tau * online[i] + (1.0 - tau) * target[i];
                // θ′ + τ(θ − θ′) rounds three times: the difference, the product, the sum.
                bound[i] = Tolerance.Step * (Math.Abs(target[i]) + 2 * tau * Math.Abs(online[i] - (double)target[i])) + Tolerance.Tiny;
            }

            Optimizers.Polyak(online, target, tau);

            Tolerance.AssertWithin(target, expected, bound, TestData.Describe(width, seed, $"length={length}, tau={tau}"));
        }
    }

    [Test]
    public void Polyak_TauZero_LeavesTargetUnchanged([Values(0, 7, 33, 1000)] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(83, length);
        var rng = new Random(seed);
        float[] online = TestData.Uniform(rng, length), target = TestData.Uniform(rng, length);
        float[] before = (float[])target.Clone();

        Optimizers.Polyak(online, target, 0f);

        Tolerance.AssertUlp(target, before, 0, TestData.Describe(width, seed, $"length={length}"));
    }

    [TestCaseSource(nameof(Lengths))]
    public void ClipGradientNorm_NormBelowMax_LeavesGradientsUnchangedAndReturnsNorm(int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(84, length);
        float[] g = TestData.Uniform(new Random(seed), length);
        float[] before = (float[])g.Clone();
        double norm = Norm(g);
        float maxNorm = (float)(2 * norm) + 1f;

        float got = Optimizers.ClipGradientNorm(g, maxNorm);

        string context = TestData.Describe(width, seed, $"length={length}, maxNorm={maxNorm:R}");
        Tolerance.AssertWithin(got, norm, NormRelative(length) * norm + Tolerance.Tiny, context + ", returned norm");
        Tolerance.AssertUlp(g, before, 0, context);
    }

    /// <summary><see cref="Lengths"/> without 0: an empty vector has norm 0, never above a maximum.</summary>
    public static IEnumerable<int> NonEmptyLengths()
    {
        foreach (int length in Lengths())
            if (length > 0) yield return length;
    }

    [TestCaseSource(nameof(NonEmptyLengths))]
    public void ClipGradientNorm_NormAboveMax_ScalesToMaxNormAndReturnsPreClipNorm(int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(85, length);
        float[] g = TestData.Uniform(new Random(seed), length, -3f, 3f);
        double norm = Norm(g);
        float maxNorm = (float)(norm / 10);
        var expected = new double[length];
        var bound = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = g[i] * (maxNorm / norm);
            // The norm's relative error, then maxNorm/norm and the product: two more roundings.
            bound[i] = (NormRelative(length) + 2 * Tolerance.Step) * Math.Abs(expected[i]) + Tolerance.Tiny;
        }

        float got = Optimizers.ClipGradientNorm(g, maxNorm);

        string context = TestData.Describe(width, seed, $"length={length}, maxNorm={maxNorm:R}");
        Tolerance.AssertWithin(got, norm, NormRelative(length) * norm, context + ", returned norm");
        Tolerance.AssertWithin(g, expected, bound, context);
        Assert.That(Norm(g), Is.EqualTo(maxNorm).Within((NormRelative(length) + 3 * Tolerance.Step) * maxNorm), context + ", clipped norm");
    }

    [Test]
    public void ClipGradientNorm_AllZero_ReturnsZeroAndLeavesZeros()
    {
        using var _ = SimdPath.Force(width);
        var g = new float[40];

        float got = Optimizers.ClipGradientNorm(g, 1e-3f);

        Assert.That(got, Is.Zero);
        Assert.That(g, Is.All.EqualTo(0f));
    }

    [TestCase(0f)]
    [TestCase(-1f)]
    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    public void ClipGradientNorm_NonPositiveOrNonFiniteMax_Throws(float maxNorm)
    {
        var g = new float[] { 3f, 4f };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.ClipGradientNorm(g, maxNorm));

        Assert.That(e!.Message, Does.Contain("Optimizers.ClipGradientNorm"));
        Assert.That(g, Is.EqualTo(new[] { 3f, 4f }), "gradients untouched");
    }

    private static double Norm(float[] g)
    {
        double sum = 0;
        foreach (float x in g) sum += (double)x * x;
        return Math.Sqrt(sum);
    }

    /// <summary>Relative error of the kernel's norm: the dot product of K terms is within K·ε·Σgᵢ² (the
    /// conventions' GEMM bound, as in <see cref="ReductionsTests"/>), the square root halves that and rounds once.</summary>
    private static double NormRelative(int length) => (length / 2.0 + 1) * Tolerance.Step;
}
