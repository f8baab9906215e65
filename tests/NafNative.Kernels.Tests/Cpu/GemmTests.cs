using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

/// <summary>The three GEMM forms against a double-precision triple loop, on every forced SIMD path.</summary>
[TestFixture(SimdWidth.Scalar)]
[TestFixture(SimdWidth.Vector256)]
[TestFixture(SimdWidth.Vector512)]
public sealed partial class GemmTests(SimdWidth width)
{
    public enum Form { MatMul, TransposeB, TransposeA }

    /// <summary>Written after C's m·n elements; a kernel that strays past its ld = n layout changes it.</summary>
    private const float Guard = 12345.5f;
    private const int GuardLength = 7;

    /// <summary>(m, n, k): each of 0, 1, 7, 17, 33, 100, 257 in each position; cubes; tile and panel edges of both
    /// widths (4-row tiles, 24/48/64-column panels and their splits, masked partial vectors, 128-deep blocks); and the
    /// NAF network's shapes.</summary>
    public static IEnumerable<object[]> Shapes()
    {
        int[] sizes = [0, 1, 7, 17, 33, 100, 257];
        foreach (int s in sizes)
        {
            yield return [s, 33, 17];
            yield return [17, s, 33];
            yield return [33, 17, s];
        }
        foreach (int s in (int[])[1, 7, 17, 33]) yield return [s, s, s];
        yield return [100, 257, 7];
        yield return [257, 7, 100];
        yield return [7, 100, 257];
        yield return [257, 257, 100];
        // Edge rows 2 and 3 after full 4-row tiles; panels of exactly 1, 2, 3 vectors (direct stores into C) at each width.
        yield return [2, 8, 5];
        yield return [6, 16, 9];
        yield return [3, 24, 3];
        yield return [10, 32, 11];
        yield return [4, 48, 1];
        yield return [8, 96, 13];
        // Panel splits (AVX-512: up to 4 vectors, never a lone trailing vector; AVX2: up to 3) and partial last
        // vectors added through a lane mask, on full 4-row tiles: 64 = 4; 80 = 3 + 2 (AVX2 3 + 3 + 2 + 2);
        // 100 = 4 + 3 masked; 113 = 4 + 4 masked; 36 and 4 a single masked panel; then the same past a depth block.
        yield return [8, 64, 9];
        yield return [12, 80, 5];
        yield return [16, 100, 19];
        yield return [8, 113, 7];
        yield return [12, 36, 33];
        yield return [4, 4, 3];
        yield return [20, 100, 130];
        yield return [6, 36, 129];
        // Depth blocks of 128: one short of, exactly, and one past a block; two blocks.
        yield return [9, 40, 127];
        yield return [9, 40, 128];
        yield return [9, 40, 129];
        yield return [5, 50, 256];
        // NAF layers: batch 64/256, hidden 100, observation 20 or 36, and single-step inference.
        yield return [64, 100, 20];
        yield return [64, 100, 100];
        yield return [64, 36, 100];
        yield return [256, 100, 100];
        yield return [1, 7, 20];
    }

    [TestCaseSource(nameof(Shapes))]
    public void MatMul_RandomInputsAndPrefilledC_AddsProductToC(int m, int n, int k) => CheckAgainstReference(Form.MatMul, m, n, k);

    [TestCaseSource(nameof(Shapes))]
    public void MatMulTransposeB_RandomInputsAndPrefilledC_AddsProductToC(int m, int n, int k) => CheckAgainstReference(Form.TransposeB, m, n, k);

    [TestCaseSource(nameof(Shapes))]
    public void MatMulTransposeA_RandomInputsAndPrefilledC_AddsProductToC(int m, int n, int k) => CheckAgainstReference(Form.TransposeA, m, n, k);

    private void CheckAgainstReference(Form form, int m, int n, int k)
    {
        using var _ = SimdPath.Force(width);
        int seed = TestData.SeedFor((int)form, m, n, k);
        var rng = new Random(seed);
        float[] a = TestData.Uniform(rng, m * k);
        float[] b = TestData.Uniform(rng, k * n);
        float[] c = new float[m * n + GuardLength];
        TestData.Uniform(rng, m * n).CopyTo(c, 0);
        Array.Fill(c, Guard, m * n, GuardLength);
        float[] before = (float[])c.Clone();

        // C is passed with guard elements after it: longer spans are allowed, only the m×n prefix may change.
        Run(form, a, b, c, m, n, k);

        Reference(form, a, b, before, m, n, k, out double[] expected, out double[] bound);
        string context = TestData.Describe(width, seed, $"Gemm.{form} m={m}, n={n}, k={k}");
        Tolerance.AssertWithin(c.AsSpan(0, m * n), expected, bound, context);
        Tolerance.AssertUlp(c.AsSpan(m * n), before.AsSpan(m * n), 0, context + " (guard after C)");
    }

    /// <summary>expected = C₀ + Σₚ a(i,p)·b(p,j) in double (each product is exact in double; the sum's error is
    /// ~K·2⁻⁵³, negligible) and its error bound.</summary>
    /// <remarks>
    /// The kernel rounds once per FMA, plus once per 128-deep block when it adds a block's sum into C: at most
    /// K + ⌈K/128⌉ ≤ 2K roundings of 2⁻²⁴ on any path, over terms that include C₀. Hence
    /// |got − expected| ≤ K·2⁻²³·(|C₀| + Σ|a·b|) + tiny; for K = 0, C must come back unchanged.
    /// </remarks>
    private static void Reference(Form form, float[] a, float[] b, float[] c0, int m, int n, int k,
        out double[] expected, out double[] bound)
    {
        expected = new double[m * n];
        bound = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = c0[i * n + j], magnitude = Math.Abs(c0[i * n + j]);
                for (int p = 0; p < k; p++)
                {
                    double term = (double)A(form, a, i, p, m, k) * B(form, b, p, j, n, k);
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                expected[i * n + j] = sum;
                bound[i * n + j] = k * Tolerance.Step * magnitude + Tolerance.Tiny;
            }
    }

    /// <summary>a(i, p): A is [m×k] row-major, or [k×m] for the transposed-A form.</summary>
    private static float A(Form form, float[] a, int i, int p, int m, int k) => form == Form.TransposeA ? a[p * m + i] : a[i * k + p];

    /// <summary>b(p, j): B is [k×n] row-major, or [n×k] for the transposed-B form.</summary>
    private static float B(Form form, float[] b, int p, int j, int n, int k) => form == Form.TransposeB ? b[j * k + p] : b[p * n + j];
}
