using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>Sums and dot products against double loops, on every forced SIMD path.</summary>
/// <remarks>
/// Bound for a sum of K terms: any summation order (vector lanes, horizontal reduction, scalar tail) rounds at most
/// K times along any path, each by at most 2⁻²⁴, so |got − ref| ≤ K·2⁻²³·Σ|termᵢ| holds with a 2× margin (the
/// product in Dot adds one more rounding per term, still within the margin).
/// </remarks>
[TestFixture(SimdWidth.Scalar)]
[TestFixture(SimdWidth.Vector256)]
[TestFixture(SimdWidth.Vector512)]
public sealed partial class ReductionsTests(SimdWidth width)
{
    [Test]
    public void Sum_RandomInputs_WithinSummationBound([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(31, length);
        float[] x = TestData.Uniform(new Random(seed), length);
        double expected = 0, magnitude = 0;
        foreach (float v in x) { expected += v; magnitude += Math.Abs(v); }

        float got = Reductions.Sum(x);

        Tolerance.AssertWithin(got, expected, length * Tolerance.Step * magnitude + Tolerance.Tiny,
            TestData.Describe(width, seed, $"length={length}"));
    }

    [Test]
    public void Sum_AllOnes_ReturnsLengthExactly([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        var x = new float[length];
        Array.Fill(x, 1f);

        // Integers below 2²⁴ add exactly in any order: every lane, block and tail element must be counted once.
        Assert.That(Reductions.Sum(x), Is.EqualTo((float)length), TestData.Describe(width, 0, $"length={length}"));
    }

    [Test]
    public void Dot_RandomInputs_WithinSummationBound([ValueSource(typeof(TestData), nameof(TestData.Lengths))] int length)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(32, length);
        var rng = new Random(seed);
        float[] x = TestData.Uniform(rng, length), y = TestData.Uniform(rng, length);
        double expected = 0, magnitude = 0;
        for (int i = 0; i < length; i++)
        {
            double term = (double)x[i] * y[i];
            expected += term;
            magnitude += Math.Abs(term);
        }

        float got = Reductions.Dot(x, y);

        Tolerance.AssertWithin(got, expected, length * Tolerance.Step * magnitude + Tolerance.Tiny,
            TestData.Describe(width, seed, $"length={length}"));
    }

    [TestCaseSource(typeof(TestData), nameof(TestData.MatrixShapes))]
    public void SumRows_RandomMatrix_EachRowWithinSummationBound(int rows, int cols)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(33, rows, cols);
        var rng = new Random(seed);
        float[] x = TestData.Uniform(rng, rows * cols);
        // Garbage in dst: SumRows assigns, it does not accumulate.
        float[] dst = TestData.Uniform(rng, rows, 100f, 200f);
        var expected = new double[rows];
        var bound = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            double magnitude = 0;
            for (int j = 0; j < cols; j++)
            {
                expected[r] += x[r * cols + j];
                magnitude += Math.Abs(x[r * cols + j]);
            }
            bound[r] = cols * Tolerance.Step * magnitude + Tolerance.Tiny;
        }

        Reductions.SumRows(x, rows, cols, dst);

        Tolerance.AssertWithin(dst, expected, bound, TestData.Describe(width, seed, $"rows={rows}, cols={cols}"));
    }

    [TestCaseSource(typeof(TestData), nameof(TestData.MatrixShapes))]
    public void SumColumnsTo_PrefilledDestination_AddsColumnSums(int rows, int cols)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor(34, rows, cols);
        var rng = new Random(seed);
        float[] x = TestData.Uniform(rng, rows * cols);
        float[] dst = TestData.Uniform(rng, cols);
        var expected = new double[cols];
        var bound = new double[cols];
        for (int j = 0; j < cols; j++)
        {
            // dst₀ is one more term of the sum: rows roundings over rows + 1 terms.
            double sum = dst[j], magnitude = Math.Abs(dst[j]);
            for (int r = 0; r < rows; r++)
            {
                sum += x[r * cols + j];
                magnitude += Math.Abs(x[r * cols + j]);
            }
            expected[j] = sum;
            bound[j] = rows * Tolerance.Step * magnitude + Tolerance.Tiny;
        }

        Reductions.SumColumnsTo(x, rows, cols, dst);

        Tolerance.AssertWithin(dst, expected, bound, TestData.Describe(width, seed, $"rows={rows}, cols={cols}"));
    }
}
