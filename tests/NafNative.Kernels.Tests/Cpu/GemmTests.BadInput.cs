using NafNative.Kernels.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Cpu;

public sealed partial class GemmTests
{
    // m, n, k all differ so a message that swaps them is caught.
    private const int M = 3, N = 4, K = 5;

    [Test]
    public void MatMul_SpanTooShort_ThrowsNamingOperationSpanAndShapes([Values("a", "b", "c")] string span) =>
        AssertTooShort(Form.MatMul, span, "A [3×5]", "B [5×4]");

    [Test]
    public void MatMulTransposeB_SpanTooShort_ThrowsNamingOperationSpanAndShapes([Values("a", "b", "c")] string span) =>
        AssertTooShort(Form.TransposeB, span, "A [3×5]", "B [4×5]");

    [Test]
    public void MatMulTransposeA_SpanTooShort_ThrowsNamingOperationSpanAndShapes([Values("a", "b", "c")] string span) =>
        AssertTooShort(Form.TransposeA, span, "A [5×3]", "B [5×4]");

    [Test]
    public void AllForms_NegativeDimension_ThrowsOutOfRangeNamingOperationAndDimensions(
        [Values] Form form, [Values(0, 1, 2)] int negative)
    {
        int m = negative == 0 ? -1 : M, n = negative == 1 ? -1 : N, k = negative == 2 ? -1 : K;
        var c = new float[M * N];

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Run(form, new float[M * K], new float[K * N], c, m, n, k));

        Assert.That(ex.Message, Does.Contain(OperationName(form) + ":")
            .And.Contain($"m={m}, n={n}, k={k}").And.Contain("non-negative"));
        Assert.That(c, Is.All.Zero, "C must be untouched when the call is rejected");
    }

    [Test]
    public void MatMul_DimensionProductOverflowsInt_ThrowsSpanTooShort()
    {
        // 65536 · 65536 wraps to 0 in int arithmetic; the check must use 64 bits and still reject the empty span.
        var ex = Assert.Throws<ArgumentException>(() => Gemm.MatMul([], [], [], 65536, 0, 65536));

        Assert.That(ex.Message, Does.Contain("Gemm.MatMul:").And.Contain("span 'a' is too short").And.Contain("A [65536×65536]"));
    }

    [Test]
    public void AllForms_ZeroDimension_LeavesCUnchanged([Values] Form form, [Values(0, 1, 2)] int zero)
    {
        using var _ = SimdPath.Force(width);
        int m = zero == 0 ? 0 : M, n = zero == 1 ? 0 : N, k = zero == 2 ? 0 : K;
        var c = new float[m * n];
        Array.Fill(c, 1.5f);

        Assert.DoesNotThrow(() => Run(form, new float[m * k], new float[k * n], c, m, n, k));
        Assert.That(c, Is.All.EqualTo(1.5f), "an empty product adds nothing to C");
    }

    private static void AssertTooShort(Form form, string span, string aShape, string bShape)
    {
        float[] a = new float[M * K - (span == "a" ? 1 : 0)];
        float[] b = new float[K * N - (span == "b" ? 1 : 0)];
        float[] c = new float[M * N - (span == "c" ? 1 : 0)];

        var ex = Assert.Throws<ArgumentException>(() => Run(form, a, b, c, M, N, K));

        Assert.That(ex.ParamName, Is.EqualTo(span));
        Assert.That(ex.Message, Does.Contain(OperationName(form) + ":")
            .And.Contain($"span '{span}' is too short for m={M}, n={N}, k={K}")
            .And.Contain($"{aShape} ({a.Length} elements given)")
            .And.Contain($"{bShape} ({b.Length} given)")
            .And.Contain($"C [3×4] ({c.Length} given)"));
    }

    private static string OperationName(Form form) => form switch
    {
        Form.MatMul => "Gemm.MatMul",
        Form.TransposeB => "Gemm.MatMulTransposeB",
        _ => "Gemm.MatMulTransposeA",
    };

    private static void Run(Form form, float[] a, float[] b, float[] c, int m, int n, int k)
    {
        switch (form)
        {
            case Form.MatMul: Gemm.MatMul(a, b, c, m, n, k); break;
            case Form.TransposeB: Gemm.MatMulTransposeB(a, b, c, m, n, k); break;
            default: Gemm.MatMulTransposeA(a, b, c, m, n, k); break;
        }
    }
}
