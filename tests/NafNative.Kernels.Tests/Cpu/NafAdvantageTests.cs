using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>The fused NAF advantage kernel against a slow double reference that forms L and P = L·Lᵀ explicitly.</summary>
/// <remarks>
/// <para>Inputs: V and the L entries uniform in [−1, 1) (so the diagonal exp(·) lies in [1/e, e)), μ's
/// pre-activations in [−2, 2) (across tanh's curve), actions in [−1, 1). Every function here is smooth: no kinks.</para>
/// <para>Float32 error bounds are stated in the magnitudes the kernel actually sums, with ε = <see cref="Tolerance.Step"/>
/// (2⁻²³, twice the unit roundoff). Let D_i = |u_i| + |μ_i| (the error of d_i = u_i − μ_i is absolute, relative to
/// D_i, not to |d_i|, which may cancel) and Z_j = Σ_{i≥j} |L_ij|·D_i. Each z_j = Σ_i L_ij·d_i is an FMA chain of at
/// most n terms whose inputs carry a few ulp (tanh, exp, the subtraction), so |δz_j| ≲ ½(n + 5)·ε·Z_j; squaring and
/// summing the z_j and adding V then gives |δq| ≲ (n + 5)·ε·Σ_j Z_j² + ε·|V|. The backward pass reuses those z_j,
/// so every gradient element is off by at most about (n + 8)·ε·|dQ|·S_k, with S_k the magnitude of its own terms
/// (see <see cref="Sample"/>). Both checks use K = n + 8. Measured: every check passes with the bound cut to a fifth,
/// and some fail at a tenth, so the bound is worst-case but not slack.</para>
/// <para>Every test runs on each forced SIMD path: on Vector512 and Vector256 whole tiles of 16 or 8 samples take
/// the lane-parallel kernel and the rest the per-sample loops, so the batches include tails after full tiles (19, 37)
/// and n includes <see cref="NafAdvantage.MaxTileActions"/> (16, the widest tile) and 17 (always per sample).</para>
/// </remarks>
[TestFixture(SimdWidth.Scalar)]
[TestFixture(SimdWidth.Vector256)]
[TestFixture(SimdWidth.Vector512)]
public sealed partial class NafAdvantageTests(SimdWidth width)
{
    private static readonly int[] ActionDims = [1, 2, 7, 12, 16, 17];
    private static readonly int[] Batches = [1, 5, 19, 37, 64];

    private SimdPath.Scope _path;

    [SetUp]
    public void ForcePath() => _path = SimdPath.Force(width);

    [TearDown]
    public void RestorePath() => _path.Dispose();

    public static IEnumerable<object[]> Shapes()
    {
        foreach (int n in ActionDims)
            foreach (int batch in Batches)
                yield return [n, batch];
    }

    [TestCaseSource(nameof(Shapes))]
    public void Forward_RandomHeadAndActions_MatchesExplicitQuadraticForm(int n, int batch)
    {
        int seed = TestData.SeedFor(70, n, batch);
        var (head, actions) = RandomInputs(seed, n, batch);
        var q = new float[batch];
        var saved = new float[batch * NafAdvantage.SavedWidth(n)];

        NafAdvantage.Forward(head, actions, batch, n, q, saved);

        var expected = new double[batch];
        var bound = new double[batch];
        for (int b = 0; b < batch; b++)
        {
            var s = new Sample(head, actions, b, n);
            expected[b] = s.Q;
            bound[b] = (n + 8) * Tolerance.Step * (Math.Abs(s.V) + s.SumZSquared) + Tolerance.Tiny;
        }
        Tolerance.AssertWithin(q, expected, bound, Describe(seed, n, batch));
    }

    [TestCaseSource(nameof(Shapes))]
    public void Backward_PrefilledGradient_AddsAnalyticGradient(int n, int batch)
    {
        int seed = TestData.SeedFor(71, n, batch);
        var (head, actions, dq, prefill, dHead) = RunBackward(seed, n, batch);

        int width = NafAdvantage.HeadWidth(n);
        var expected = new double[head.Length];
        var bound = new double[head.Length];
        for (int b = 0; b < batch; b++)
        {
            var s = new Sample(head, actions, b, n);
            for (int k = 0; k < width; k++)
            {
                int e = b * width + k;
                expected[e] = prefill[e] + dq[b] * s.Gradient[k];
                // The final accumulate rounds once; the gradient itself carries the K·ε·|dQ|·S_k bound.
                bound[e] = Tolerance.Step * (Math.Abs(prefill[e]) + Math.Abs(dq[b] * s.Gradient[k]))
                    + (n + 8) * Tolerance.Step * Math.Abs(dq[b]) * s.Magnitude[k] + Tolerance.Tiny;
            }
        }
        Tolerance.AssertWithin(dHead, expected, bound, Describe(seed, n, batch));
    }

    [TestCaseSource(nameof(Shapes))]
    public void Backward_PrefilledGradient_MatchesCentralDifferences(int n, int batch)
    {
        int seed = TestData.SeedFor(72, n, batch);
        var (head, actions, dq, prefill, dHead) = RunBackward(seed, n, batch);

        int width = NafAdvantage.HeadWidth(n);
        var expected = new double[head.Length];
        var bound = new double[head.Length];
        for (int b = 0; b < batch; b++)
        {
            // Samples are independent, so ∂(Σ_b dQ_b·Q_b)/∂head_b = dQ_b·∂Q_b/∂head_b: differentiate one row at a time.
            var s = new Sample(head, actions, b, n);
            double[] numeric = CentralDifferences(head, actions, b, n);
            for (int k = 0; k < width; k++)
            {
                int e = b * width + k;
                double fd = dq[b] * numeric[k];
                expected[e] = prefill[e] + fd;
                // gradcheck's rtol 1e-3 / atol 1e-5 for the finite difference, plus the float32 bound above.
                bound[e] = GradcheckAtol + GradcheckRtol * Math.Abs(fd)
                    + Tolerance.Step * (Math.Abs(prefill[e]) + Math.Abs(fd))
                    + (n + 8) * Tolerance.Step * Math.Abs(dq[b]) * s.Magnitude[k];
            }
        }
        Tolerance.AssertWithin(dHead, expected, bound, Describe(seed, n, batch));
    }

    [TestCaseSource(nameof(ActionDims))]
    public void ReferenceGradient_RandomSamples_MatchesCentralDifferences(int n)
    {
        // Check (a) of the conventions: the analytic double gradient the kernel is held to is itself right.
        const int batch = 5;
        int seed = TestData.SeedFor(73, n);
        var (head, actions) = RandomInputs(seed, n, batch);
        for (int b = 0; b < batch; b++)
        {
            double[] analytic = new Sample(head, actions, b, n).Gradient;
            double[] numeric = CentralDifferences(head, actions, b, n);
            for (int k = 0; k < analytic.Length; k++)
                Assert.That(Math.Abs(analytic[k] - numeric[k]), Is.LessThanOrEqualTo(GradcheckAtol + GradcheckRtol * Math.Abs(numeric[k])),
                    $"{Describe(seed, n, batch)}: sample {b}, ∂Q/∂head[{k}] analytic {analytic[k]:R} vs central difference {numeric[k]:R}");
        }
    }

    [Test]
    public void ForwardBackward_EmptyBatch_DoesNotThrow()
    {
        Assert.DoesNotThrow(() => NafAdvantage.Forward([], [], 0, 3, [], []));
        Assert.DoesNotThrow(() => NafAdvantage.Backward([], [], [], [], 0, 3, []));
    }

    [Test]
    public void Forward_ZeroAdvantageAtMu_ReturnsValue()
    {
        // u = μ gives d = 0, A = 0: Q = V whatever L is (the greedy action is the maximiser of Q). The actions are
        // float tanh values, so d is at most a few ulp of 1 (~1e-7) and A = −½‖Lᵀd‖² is below 1e-12: 1e-9 is ample.
        const int n = 4, batch = 3;
        int seed = TestData.SeedFor(74, n, batch);
        var (head, _) = RandomInputs(seed, n, batch);
        int width = NafAdvantage.HeadWidth(n);
        var actions = new float[batch * n];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < n; i++) actions[b * n + i] = MathF.Tanh(head[b * width + 1 + i]);
        var q = new float[batch];

        NafAdvantage.Forward(head, actions, batch, n, q, new float[batch * NafAdvantage.SavedWidth(n)]);

        for (int b = 0; b < batch; b++)
            Assert.That(q[b], Is.EqualTo(head[b * width]).Within(1e-9), $"seed {seed}: sample {b}");
    }

    [TestCaseSource(nameof(ActionDims))]
    public void GreedyAction_HeadRow_ReturnsTanhOfMuSlice(int n)
    {
        // Activations.Tanh's tolerance (ActivationsTests): 4e-7 relative plus 2⁻²³ absolute, on every SIMD path.
        const int batch = 3;
        int seed = TestData.SeedFor(75, n);
        var (head, _) = RandomInputs(seed, n, batch);
        int width = NafAdvantage.HeadWidth(n);
        foreach (SimdWidth path in new[] { SimdWidth.Scalar, SimdWidth.Vector256, SimdWidth.Vector512 })
        {
            using var _ = SimdPath.Force(path);
            for (int b = 0; b < batch; b++)
            {
                var action = new float[n];
                var expected = new double[n];
                var bound = new double[n];
                for (int i = 0; i < n; i++)
                {
                    expected[i] = Math.Tanh(head[b * width + 1 + i]);
                    bound[i] = 4e-7 * Math.Abs(expected[i]) + Tolerance.Step;
                }
                // A row sliced to the end of the batch buffer is longer than one head: only its first row is read.
                NafAdvantage.GreedyAction(head.AsSpan(b * width), n, action);
                Tolerance.AssertWithin(action, expected, bound, TestData.Describe(path, seed, $"n={n}, row {b}"));
            }
        }
    }

    private const double GradcheckRtol = 1e-3, GradcheckAtol = 1e-5, FiniteStep = 1e-6;

    private string Describe(int seed, int n, int batch) => TestData.Describe(width, seed, $"n={n}, batch={batch}");

    private static (float[] Head, float[] Actions) RandomInputs(int seed, int n, int batch)
    {
        var rng = new Random(seed);
        int width = NafAdvantage.HeadWidth(n);
        float[] head = TestData.Uniform(rng, batch * width);
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < n; i++) head[b * width + 1 + i] *= 2f;
        return (head, TestData.Uniform(rng, batch * n));
    }

    /// <summary>Forward, then Backward into a randomly pre-filled dHead with random dQ.</summary>
    private static (float[] Head, float[] Actions, float[] Dq, float[] Prefill, float[] DHead) RunBackward(int seed, int n, int batch)
    {
        var (head, actions) = RandomInputs(seed, n, batch);
        var rng = new Random(seed + 1);
        float[] dq = TestData.Uniform(rng, batch, -1.5f, 1.5f);
        float[] prefill = TestData.Uniform(rng, head.Length);
        float[] dHead = (float[])prefill.Clone();
        var q = new float[batch];
        var saved = new float[batch * NafAdvantage.SavedWidth(n)];
        NafAdvantage.Forward(head, actions, batch, n, q, saved);
        NafAdvantage.Backward(head, actions, saved, dq, batch, n, dHead);
        return (head, actions, dq, prefill, dHead);
    }

    /// <summary>∂Q_b/∂head_b by central differences of <see cref="ReferenceQ"/> in double, step 1e-6.</summary>
    private static double[] CentralDifferences(float[] head, float[] actions, int b, int n)
    {
        int width = NafAdvantage.HeadWidth(n);
        double[] row = Widen(head.AsSpan(b * width, width));
        double[] u = Widen(actions.AsSpan(b * n, n));
        var gradient = new double[width];
        for (int k = 0; k < width; k++)
        {
            double original = row[k];
            row[k] = original + FiniteStep;
            double plus = ReferenceQ(row, u, n);
            row[k] = original - FiniteStep;
            double minus = ReferenceQ(row, u, n);
            row[k] = original;
            gradient[k] = (plus - minus) / (2 * FiniteStep);
        }
        return gradient;
    }

    private static double[] Widen(ReadOnlySpan<float> values)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    /// <summary>L from one head row: packed entry i(i+1)/2 + j below the diagonal, exp(entry) on it, 0 above.</summary>
    private static double[,] DenseL(double[] row, int n)
    {
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double entry = row[1 + n + i * (i + 1) / 2 + j];
                l[i, j] = i == j ? Math.Exp(entry) : entry;
            }
        return l;
    }

    private static double[,] LTimesLTransposed(double[,] l, int n)
    {
        var p = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += l[i, k] * l[j, k];
                p[i, j] = sum;
            }
        return p;
    }

    /// <summary>Q = V − ½(u − μ)ᵀ P (u − μ), with μ = tanh(row[1..n]) and P = L·Lᵀ formed explicitly.</summary>
    private static double ReferenceQ(double[] row, double[] u, int n)
    {
        double[,] p = LTimesLTransposed(DenseL(row, n), n);
        var d = new double[n];
        for (int i = 0; i < n; i++) d[i] = u[i] - Math.Tanh(row[1 + i]);
        double quadratic = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) quadratic += d[i] * p[i, j] * d[j];
        return row[0] - 0.5 * quadratic;
    }

    /// <summary>One sample in double: Q, the analytic ∂Q/∂head, and the magnitudes S_k bounding the kernel's
    /// rounding error in each gradient element.</summary>
    /// <remarks>
    /// With d = u − μ, P = L·Lᵀ and z = Lᵀd: ∂Q/∂V = 1; ∂Q/∂d = −P·d, so ∂Q/∂pre_i = (P·d)_i·(1 − μ_i²);
    /// ∂Q/∂L = −d·dᵀ·L, so ∂Q/∂L_ij = −d_i·z_j, times L_ii = exp(entry) on the diagonal.
    /// </remarks>
    private sealed class Sample
    {
        public double V { get; }
        public double Q { get; }
        public double SumZSquared { get; }
        public double[] Gradient { get; }
        public double[] Magnitude { get; }

        public Sample(float[] head, float[] actions, int b, int n)
        {
            int width = NafAdvantage.HeadWidth(n);
            double[] row = Widen(head.AsSpan(b * width, width));
            double[] u = Widen(actions.AsSpan(b * n, n));
            V = row[0];
            Q = ReferenceQ(row, u, n);

            double[,] l = DenseL(row, n);
            double[,] p = LTimesLTransposed(l, n);
            var mu = new double[n];
            var d = new double[n];
            var dMagnitude = new double[n];
            for (int i = 0; i < n; i++)
            {
                mu[i] = Math.Tanh(row[1 + i]);
                d[i] = u[i] - mu[i];
                dMagnitude[i] = Math.Abs(u[i]) + Math.Abs(mu[i]);
            }
            var z = new double[n];
            var zMagnitude = new double[n];
            for (int j = 0; j < n; j++)
                for (int i = j; i < n; i++)
                {
                    z[j] += l[i, j] * d[i];
                    zMagnitude[j] += Math.Abs(l[i, j]) * dMagnitude[i];
                }
            for (int j = 0; j < n; j++) SumZSquared += zMagnitude[j] * zMagnitude[j];

            Gradient = new double[width];
            Magnitude = new double[width];
            Gradient[0] = 1;
            for (int i = 0; i < n; i++)
            {
                double pd = 0, magnitude = 0;
                for (int j = 0; j < n; j++) pd += p[i, j] * d[j];
                for (int j = 0; j <= i; j++) magnitude += Math.Abs(l[i, j]) * zMagnitude[j];
                Gradient[1 + i] = pd * (1 - mu[i] * mu[i]);
                Magnitude[1 + i] = magnitude;
                for (int j = 0; j <= i; j++)
                {
                    int k = 1 + n + i * (i + 1) / 2 + j;
                    double chain = i == j ? l[i, i] : 1;
                    Gradient[k] = -d[i] * z[j] * chain;
                    Magnitude[k] = dMagnitude[i] * zMagnitude[j] * chain;
                }
            }
        }
    }
}
