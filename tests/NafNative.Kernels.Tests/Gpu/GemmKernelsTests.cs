using ILGPU;
using ILGPU.Runtime;
using NafNative.Kernels.Cpu;
using NafNative.Kernels.Gpu;
using NafNative.Kernels.Tests.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Gpu;

/// <summary>The tiled device GEMM in each form and with each fused epilogue, against the CPU kernels.</summary>
/// <remarks>Both sides sum K products in different orders, so each is within K·2⁻²³·Σ|aᵢbᵢ| of the exact value
/// (CONVENTIONS) and they are within twice that of each other; the bound also counts |C₀| for accumulation and
/// one more term for the bias. Sizes are odd and straddle the 16-wide tiles (partial tiles on every edge).</remarks>
public sealed class GemmKernelsTests(TestDevice device) : DeviceTests(device)
{
    private static readonly int[][] Shapes = [[5, 3, 7], [17, 33, 9], [1, 1, 1], [16, 16, 16], [33, 17, 40], [32, 32, 32], [65, 47, 50]];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var s in Shapes)
            foreach (string form in new[] { "NN", "NT", "TN" })
                yield return new TestCaseData(form, s[0], s[1], s[2]).SetName($"Gemm{form}_{s[0]}x{s[2]}x{s[1]}_MatchesCpu");
    }

    [TestCaseSource(nameof(Cases))]
    public void Gemm_RandomAccumulate_MatchesCpu(string form, int m, int n, int k)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        float[] a = TestAccelerator.Random(random, m * k), b = TestAccelerator.Random(random, k * n), c0 = TestAccelerator.Random(random, m * n);
        bool ta = form == "TN", tb = form == "NT";
        float[] expected = (float[])c0.Clone();
        if (form == "NN") Gemm.MatMul(a, b, expected, m, n, k);
        else if (form == "NT") Gemm.MatMulTransposeB(a, b, expected, m, n, k);
        else Gemm.MatMulTransposeA(a, b, expected, m, n, k);

        float[] got = Run(form, a, b, c0, null, GemmArgs.Dense(m, n, k, ta, tb, accumulate: true), m, n, problems: 1);

        AssertClose(got, expected, Bound(a, b, c0, m, n, k, ta, tb, ones: false), $"{form} m={m} n={n} k={k}");
    }

    [TestCase(5, 3, 7)]
    [TestCase(17, 33, 9)]
    public void GemmNN_OnesColumnAndRelu_MatchesBiasMatMulRelu(int batch, int outSize, int inSize)
    {
        var random = new Random(batch + outSize + inSize);
        float[] x = TestAccelerator.Random(random, batch * inSize), wb = TestAccelerator.Random(random, (inSize + 1) * outSize);
        float[] expected = new float[batch * outSize];
        for (int r = 0; r < batch; r++) wb.AsSpan(inSize * outSize, outSize).CopyTo(expected.AsSpan(r * outSize));
        Gemm.MatMul(x, wb.AsSpan(0, inSize * outSize), expected, batch, outSize, inSize);
        Activations.Relu(expected, expected);

        var args = new GemmArgs { M = batch, N = outSize, K = inSize + 1, Lda = inSize, Ldb = outSize, Ldc = outSize, Ones = 1, Relu = 1 };
        float[] got = Run("NN", x, wb, new float[batch * outSize], null, args, batch, outSize, problems: 1);

        AssertClose(got, expected, Bound(x, wb, new float[batch * outSize], batch, outSize, inSize + 1, false, false, ones: true), "NN+bias+ReLU");
    }

    [TestCase(5, 3, 7)]
    [TestCase(17, 9, 33)]
    public void GemmNT_Mask_MatchesMatMulTransposeBThenReluBackward(int batch, int inSize, int outSize)
    {
        var random = new Random(batch * 7 + inSize);
        float[] dy = TestAccelerator.Random(random, batch * outSize), w = TestAccelerator.Random(random, inSize * outSize);
        float[] h = TestAccelerator.Random(random, batch * inSize); // the layer output: about half are ≤ 0
        for (int i = 0; i < h.Length; i += 5) h[i] = 0f;          // exact zeros: ReLU's dead units take no gradient
        float[] product = new float[batch * inSize], expected = new float[batch * inSize];
        Gemm.MatMulTransposeB(dy, w, product, batch, inSize, outSize);
        Activations.ReluBackward(h, product, expected);

        var args = new GemmArgs { M = batch, N = inSize, K = outSize, Lda = outSize, Ldb = outSize, Ldc = inSize, Mask = 1 };
        float[] got = Run("NT", dy, w, new float[batch * inSize], h, args, batch, inSize, problems: 1);

        AssertClose(got, expected, Bound(dy, w, new float[batch * inSize], batch, inSize, outSize, false, true, ones: false), "NT+mask");
    }

    [TestCase(5, 3, 7)]
    [TestCase(17, 9, 33)]
    public void GemmTN_OnesColumn_MatchesWeightAndBiasGradients(int batch, int inSize, int outSize)
    {
        var random = new Random(batch * 3 + outSize);
        float[] x = TestAccelerator.Random(random, batch * inSize), dy = TestAccelerator.Random(random, batch * outSize);
        float[] expected = new float[(inSize + 1) * outSize];
        Gemm.MatMulTransposeA(x, dy, expected.AsSpan(0, inSize * outSize), inSize, outSize, batch);
        Reductions.SumColumnsTo(dy, batch, outSize, expected.AsSpan(inSize * outSize));

        var args = new GemmArgs { M = inSize + 1, N = outSize, K = batch, Lda = inSize, Ldb = outSize, Ldc = outSize, Ones = 1 };
        float[] got = Run("TN", x, dy, new float[expected.Length], null, args, inSize + 1, outSize, problems: 1);

        AssertClose(got, expected, Bound(x, dy, new float[expected.Length], inSize + 1, outSize, batch, true, false, ones: true), "TN+ones");
    }

    [TestCase(6, 5, 40, 16)]
    [TestCase(9, 17, 33, 32)]
    [TestCase(101, 100, 1024, 256)]
    [TestCase(37, 70, 200, 48)]
    public void GemmTN_SplitK_AddsSlicesIntoC(int m, int n, int k, int slice)
    {
        // A weight gradient's K is the batch; the slices add atomically into C's start values (the CPU's += form).
        var random = new Random(k + slice);
        float[] a = TestAccelerator.Random(random, k * m), b = TestAccelerator.Random(random, k * n), c0 = TestAccelerator.Random(random, m * n);
        float[] expected = (float[])c0.Clone();
        Gemm.MatMulTransposeA(a, b, expected, m, n, k);
        var args = GemmArgs.Dense(m, n, k, transposeA: true, transposeB: false, accumulate: true);
        args.KSlice = slice;

        float[] got = Run("TN", a, b, c0, null, args, m, n, problems: (k + slice - 1) / slice);

        AssertClose(got, expected, Bound(a, b, c0, m, n, k, true, false, ones: false), $"TN split-K k={k} slice={slice}");
    }

    [Test]
    public void GemmNN_TwoProblemsInGridZ_EachUsesItsOwnOffsets()
    {
        const int m = 6, n = 5, k = 4;
        var random = new Random(11);
        float[] a = TestAccelerator.Random(random, 2 * m * k), b = TestAccelerator.Random(random, 2 * k * n);
        float[] expected = new float[2 * m * n];
        for (int z = 0; z < 2; z++)
            Gemm.MatMul(a.AsSpan(z * m * k, m * k), b.AsSpan(z * k * n, k * n), expected.AsSpan(z * m * n, m * n), m, n, k);
        var args = GemmArgs.Dense(m, n, k, false, false, accumulate: false);
        args.ZStrideA = m * k; args.ZStrideB = k * n; args.ZStrideC = m * n;

        float[] got = Run("NN", a, b, new float[2 * m * n], null, args, m, n, problems: 2);

        double[] bound = new double[2 * m * n];
        Array.Fill(bound, 2 * k * Tolerance.Step * k);
        AssertClose(got, expected, bound, "grid z");
    }

    private float[] Run(string form, float[] a, float[] b, float[] c, float[]? mask, GemmArgs args, int m, int n, int problems)
    {
        var acc = Gpu.Accelerator;
        using var da = Gpu.Upload(a);
        using var db = Gpu.Upload(b);
        using var dc = Gpu.Upload(c);
        using var dm = Gpu.Upload(mask ?? [0f]);
        Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, GemmArgs> kernel = form switch
        {
            "NN" => GemmKernels.GemmNNKernel,
            "NT" => GemmKernels.GemmNTKernel,
            _ => GemmKernels.GemmTNKernel,
        };
        var launch = acc.LoadStreamKernel(kernel);
        launch(new KernelConfig(GemmKernels.Grid(m, n, problems), GemmKernels.Group), da.View, db.View, dc.View, dm.View, args);
        return Gpu.Download(dc, c.Length);
    }

    // 2·(K + 1)·2⁻²³·(Σ_p |a(i,p)·b(p,j)| + |c0|): two sides, each within (K + 1)ε of the exact value.
    private static double[] Bound(float[] a, float[] b, float[] c0, int m, int n, int k, bool ta, bool tb, bool ones)
    {
        var bound = new double[m * n];
        int lda = ta ? (ones ? m - 1 : m) : (ones ? k - 1 : k);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = Math.Abs(c0[i * n + j]);
                for (int p = 0; p < k; p++)
                {
                    double ai = ta ? (ones && i == lda ? 1 : a[p * lda + i]) : (ones && p == lda ? 1 : a[i * lda + p]);
                    double bj = tb ? b[j * k + p] : b[p * n + j];
                    sum += Math.Abs(ai * bj);
                }
                bound[i * n + j] = 2 * (k + 1) * Tolerance.Step * sum + Tolerance.Tiny;
            }
        return bound;
    }

    private static void AssertClose(float[] got, float[] expected, double[] bound, string context)
    {
        var reference = new double[expected.Length];
        for (int i = 0; i < expected.Length; i++) reference[i] = expected[i];
        Tolerance.AssertWithin(got, reference, bound, context);
    }
}
