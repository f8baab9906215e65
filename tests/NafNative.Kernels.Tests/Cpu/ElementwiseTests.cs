using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>Element-wise arithmetic against plain loops, on every forced SIMD path, at lengths 0–55, 100, 257.</summary>
/// <remarks>
/// References round to float after each operation, in the kernel's order: F(d) rounds a double to float, and for
/// +, −, × of two floats a double result rounded to float equals the float operation exactly (53 ≥ 2·24 + 2), so the
/// kernels should match to 0 ulp; the tolerance is the conventions' 4 ulp.
/// </remarks>
[TestFixture(SimdWidth.Scalar)]
[TestFixture(SimdWidth.Vector256)]
[TestFixture(SimdWidth.Vector512)]
public sealed partial class ElementwiseTests(SimdWidth width)
{
    private const int MaxUlp = 4;

    private static float F(double value) => (float)value;

    [Test]
    public void Add_RandomInputs_MatchesReference([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length) =>
        CheckBinary(1, length, Elementwise.Add, (x, y) => F((double)x + y));

    [Test]
    public void Subtract_RandomInputs_MatchesReference([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length) =>
        CheckBinary(2, length, Elementwise.Subtract, (x, y) => F((double)x - y));

    [Test]
    public void Multiply_RandomInputs_MatchesReference([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length) =>
        CheckBinary(3, length, Elementwise.Multiply, (x, y) => F((double)x * y));

    [Test]
    public void MultiplyAddTo_PrefilledDestination_AddsProduct([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(4, length);
        var rng = new Random(seed);
        float[] x = TestData.Uniform(rng, length), y = TestData.Uniform(rng, length), dst = TestData.Uniform(rng, length);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = F(dst[i] + (double)F((double)x[i] * y[i]));

        Elementwise.MultiplyAddTo(x, y, dst);

        Tolerance.AssertUlp(dst, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}"));
    }

    [Test]
    public void Scale_RandomInputs_MatchesReference([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(5, length);
        var rng = new Random(seed);
        float alpha = 4f * rng.NextSingle() - 2f;
        float[] x = TestData.Uniform(rng, length);
        float[] y = TestData.Uniform(rng, length);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = F((double)alpha * x[i]);

        Elementwise.Scale(alpha, x, y);

        Tolerance.AssertUlp(y, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}, alpha={alpha:R}"));
    }

    [Test]
    public void ScaleAddTo_PrefilledDestination_AddsScaledInput(
        [ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length, [Values(1f, -1f, 0.37f)] float alpha)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(6, length);
        var rng = new Random(seed);
        float[] x = TestData.Uniform(rng, length), dst = TestData.Uniform(rng, length);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = F(dst[i] + (double)F((double)alpha * x[i]));

        Elementwise.ScaleAddTo(alpha, x, dst);

        Tolerance.AssertUlp(dst, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}, alpha={alpha:R}"));
    }

    [Test]
    public void AddScalarTo_PrefilledDestination_AddsValueToEveryElement([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(7, length);
        var rng = new Random(seed);
        float value = 4f * rng.NextSingle() - 2f;
        float[] dst = TestData.Uniform(rng, length);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = F((double)dst[i] + value);

        Elementwise.AddScalarTo(value, dst);

        Tolerance.AssertUlp(dst, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}, value={value:R}"));
    }

    [TestCaseSource(typeof(TestData), nameof(TestData.MatrixShapes))]
    public void AddRowVector_RandomMatrix_AddsBiasToEveryRow(int rows, int cols)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(8, rows, cols);
        var rng = new Random(seed);
        float[] y = TestData.Uniform(rng, rows * cols), bias = TestData.Uniform(rng, cols);
        var expected = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) expected[r * cols + j] = F((double)y[r * cols + j] + bias[j]);

        Elementwise.AddRowVector(y, bias, rows, cols);

        Tolerance.AssertUlp(y, expected, MaxUlp, TestData.Describe(width, seed, $"rows={rows}, cols={cols}"));
    }

    [Test]
    public void Add_DestinationAliasesInput_MatchesReference([Values(7, 33, 100)] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(9, length);
        var rng = new Random(seed);
        float[] x = TestData.Uniform(rng, length), y = TestData.Uniform(rng, length);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = F((double)x[i] + y[i]);

        Elementwise.Add(x, y, x);

        Tolerance.AssertUlp(x, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}, z aliases x"));
    }

    [Test]
    public void ScaleAddTo_DestinationAliasesInput_DoublesAtAlphaOne([Values(7, 33, 100)] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(10, length);
        float[] x = TestData.Uniform(new Random(seed), length);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = 2f * x[i];

        Elementwise.ScaleAddTo(1f, x, x);

        Tolerance.AssertUlp(x, expected, 0, TestData.Describe(width, seed, $"length={length}, dst aliases x"));
    }

    private delegate void BinaryKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> z);

    private void CheckBinary(int salt, int length, BinaryKernel kernel, Func<float, float, float> reference)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(salt, length);
        var rng = new Random(seed);
        float[] x = TestData.Uniform(rng, length), y = TestData.Uniform(rng, length);
        // The destination starts as garbage: an assigning kernel must overwrite it, not add to it.
        float[] z = TestData.Uniform(rng, length, 100f, 200f);
        var expected = new float[length];
        for (int i = 0; i < length; i++) expected[i] = reference(x[i], y[i]);

        kernel(x, y, z);

        Tolerance.AssertUlp(z, expected, MaxUlp, TestData.Describe(width, seed, $"length={length}"));
    }
}
