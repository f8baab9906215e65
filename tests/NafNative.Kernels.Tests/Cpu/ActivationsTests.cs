using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>ReLU, tanh and exp, forward and backward, against plain loops on every forced SIMD path.</summary>
/// <remarks>
/// ReLU and the backward passes are exact float formulas: their references round to float after each operation, as
/// the kernels do (see <see cref="ElementwiseTests"/>), and must agree within 4 ulp. Tanh and exp are polynomial
/// approximations (TensorPrimitives) and are compared with Math.Tanh / Math.Exp in double instead.
/// </remarks>
[TestFixture(SimdWidth.Scalar)]
[TestFixture(SimdWidth.Vector256)]
[TestFixture(SimdWidth.Vector512)]
public sealed partial class ActivationsTests(SimdWidth width)
{
    private const int MaxUlp = 4;

    /// <summary>Relative tolerance for tanh and exp: about 3.4 float ulp (2⁻²³ ≈ 1.19e-7), the 4-ulp budget less
    /// the half ulp lost rounding the exact result to float.</summary>
    private const double TranscendentalRelative = 4e-7;

    /// <summary>Absolute slack for exp: below 2⁻¹²⁶ floats are subnormal, spaced a fixed 2⁻¹⁴⁹ apart, so a relative
    /// bound cannot hold there; two such spacings (measured worst: 1.13 · 2⁻¹⁴⁹).</summary>
    private const double ExpAbsolute = 2 * 1.401298464324817e-45;

    /// <summary>Absolute slack for tanh, deliberately looser: 2⁻²³ ≈ 1.2e-7. TensorPrimitives.Tanh (AMD's vrs4_tanhf)
    /// computes tanh(y) = −z / (z + 2) with z = e^(−2y) − 1, and that subtraction cancels for small |y|: its error
    /// there is absolute, about 2⁻²⁴ (measured worst 6.4e-8 over 4M inputs with |x| in [2⁻⁴⁰, 32]), not relative
    /// — tanh(−1e-9) even comes back as +6e-8. Harmless for an activation (it is 1/2 ulp of 1), so it is tolerated
    /// here rather than fixed; for |x| ≥ 0.3 the relative bound alone holds (measured 2.2 · 2⁻²³).</summary>
    private const double TanhAbsolute = 1.0 / (1 << 23);

    private static float F(double value) => (float)value;

    [Test]
    public void Relu_RandomInputsWithZeros_MatchesReference([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(21, length);
        var rng = new Random(seed);
        float[] x = TestData.WithZeros(rng, length);
        float[] y = TestData.Uniform(rng, length, 100f, 200f);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = x[i] > 0 ? x[i] : 0f;

        Activations.Relu(x, y);

        Tolerance.AssertUlp(y, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}"));
    }

    [Test]
    public void Relu_SpecialValues_FollowsMaxWithZeroOnEveryPath(
        [Values(float.NaN, -0f, 0f, float.Epsilon, -float.Epsilon, float.PositiveInfinity, float.NegativeInfinity,
            float.MaxValue, -float.MaxValue)] float value)
    {
        using var _ = SimdPath.Force(width);
        // 47 = 32 + 8 + 7: Vector512 blocks, a Vector256 block and a scalar tail all see the value.
        var x = new float[47];
        Array.Fill(x, value);
        var y = new float[x.Length];
        var expected = new float[x.Length];
        // max(x, 0) propagates NaN (MathF.Max and Vector512.Max follow IEEE 754-2019 maximum): a diverged network
        // must stay visibly NaN whichever path, vector block or scalar tail, an element falls on.
        Array.Fill(expected, MathF.Max(value, 0f));

        Activations.Relu(x, y);

        Tolerance.AssertUlp(y, expected, 0, TestData.Describe(width, 0, $"x = {value:R} everywhere, length={x.Length}"));
    }

    [Test]
    public void ReluBackward_RandomInputsWithZeros_AddsGradientWherePositive([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(22, length);
        var rng = new Random(seed);
        float[] x = TestData.WithZeros(rng, length), dy = TestData.Uniform(rng, length), dx = TestData.Uniform(rng, length);
        var expected = new float[length];
        // The subgradient at x = 0 is taken as 0.
        for (int i = 0; i < length; i++) expected[i] = F(dx[i] + (x[i] > 0 ? (double)dy[i] : 0.0));

        Activations.ReluBackward(x, dy, dx);

        Tolerance.AssertUlp(dx, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}"));
    }

    [Test]
    public void Tanh_InputsAcrossMagnitudes_MatchesMathTanh([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(23, length);
        var rng = new Random(seed);
        float[] x = AcrossMagnitudes(rng, length, minLog2: -30, maxLog2: 4);
        var y = new float[length];
        var expected = new double[length];
        var bound = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = Math.Tanh(x[i]);
            bound[i] = TranscendentalRelative * Math.Abs(expected[i]) + TanhAbsolute;
        }

        Activations.Tanh(x, y);

        Tolerance.AssertWithin(y, expected, bound, TestData.Describe(width, seed, $"length={length}"));
    }

    [Test]
    public void TanhBackward_RandomOutputs_AddsGradientTimesOneMinusYSquared([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(24, length);
        var rng = new Random(seed);
        float[] y = TestData.Uniform(rng, length), dy = TestData.Uniform(rng, length), dx = TestData.Uniform(rng, length);
        var expected = new float[length];
        for (int i = 0; i < length; i++)
            expected[i] = F(dx[i] + (double)F(dy[i] * (double)F(1.0 - F((double)y[i] * y[i]))));

        Activations.TanhBackward(y, dy, dx);

        Tolerance.AssertUlp(dx, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}"));
    }

    [Test]
    public void Exp_InputsOverNormalRange_MatchesMathExp([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(25, length);
        var rng = new Random(seed);
        // e^x stays a normal float for x in [−87, 88].
        float[] x = TestData.Uniform(rng, length, -87f, 88f);
        var y = new float[length];
        var expected = new double[length];
        var bound = new double[length];
        for (int i = 0; i < length; i++)
        {
            expected[i] = Math.Exp(x[i]);
            bound[i] = TranscendentalRelative * expected[i] + ExpAbsolute;
        }

        Activations.Exp(x, y);

        Tolerance.AssertWithin(y, expected, bound, TestData.Describe(width, seed, $"length={length}"));
    }

    [Test]
    public void Exp_EdgeInputs_MatchesMathExp()
    {
        using var _ = SimdPath.Force(width);
        // ±0, tiny, the float range's ends (subnormal results from −87.4 down, 0 below −103.9, ∞ above 88.72),
        // ±∞ and NaN; repeated to 40 elements so each lands in a vector block and in the scalar tail.
        float[] edges = [0f, -0f, 1e-30f, -1e-30f, 1f, -1f, 88f, 88.7f, -87f, -87.5f, -95f, -103f, -110f, 89f,
            float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        var x = new float[40];
        for (int i = 0; i < x.Length; i++) x[i] = edges[i % edges.Length];
        var y = new float[x.Length];
        var expected = new double[x.Length];
        var bound = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            expected[i] = (float)Math.Exp(x[i]); // rounded to float: 89 overflows to ∞, −110 underflows to 0
            bound[i] = TranscendentalRelative * Math.Abs(expected[i]) + ExpAbsolute;
        }

        Activations.Exp(x, y);

        Tolerance.AssertWithin(y, expected, bound, TestData.Describe(width, 0, "edge inputs"));
    }

    [Test]
    public void ExpBackward_RandomOutputs_AddsGradientTimesY([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(26, length);
        var rng = new Random(seed);
        float[] y = TestData.Uniform(rng, length, 0f, 5f), dy = TestData.Uniform(rng, length), dx = TestData.Uniform(rng, length);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = F(dx[i] + (double)F((double)y[i] * dy[i]));

        Activations.ExpBackward(y, dy, dx);

        Tolerance.AssertUlp(dx, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}"));
    }

    /// <summary>±2ᵘ with u uniform in [minLog2, maxLog2]: every magnitude gets equal weight.</summary>
    private static float[] AcrossMagnitudes(Random rng, int length, int minLog2, int maxLog2)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            double magnitude = Math.Pow(2, minLog2 + (maxLog2 - minLog2) * rng.NextDouble());
            values[i] = (float)(rng.Next(2) == 0 ? magnitude : -magnitude);
        }
        return values;
    }
}
