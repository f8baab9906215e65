using ILGPU;
using ILGPU.Runtime;
using NafNative.Kernels.Cpu;
using NafNative.Kernels.Gpu;
using NafNative.Kernels.Tests.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Gpu;

/// <summary>Adam (with and without clipping), Polyak and the fused Adam+Polyak on the device against
/// <see cref="Optimizers"/>, plus the TD target, squared-error and sum kernels against their CPU lines.</summary>
/// <remarks>Same float expressions on both sides, but the CPU's SIMD path may contract differently and the device
/// takes XMath.Sqrt: ≤ 4 ulp of θ (an Adam step is ~lr·1 ≪ |θ|, so its own rounding is far below θ's ulp).</remarks>
[TestFixture]
public sealed class OptimizerKernelsTests
{
    [TestCase(1, 1L, 0f)]
    [TestCase(37, 3L, 0f)]
    [TestCase(37, 2L, 0.5f)]
    public void AdamPolyak_Random_MatchesCpu(int length, long step, float maxNorm)
    {
        var random = new Random(length + (int)step);
        float[] theta = CpuAccelerator.Random(random, length), target = CpuAccelerator.Random(random, length);
        float[] g = CpuAccelerator.Random(random, length), m = CpuAccelerator.Random(random, length, -0.1f, 0.1f);
        float[] v = CpuAccelerator.Random(random, length, 0f, 0.01f);
        const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, tau = 0.01f;

        float[] eTheta = (float[])theta.Clone(), eTarget = (float[])target.Clone(), eG = (float[])g.Clone();
        float[] eM = (float[])m.Clone(), eV = (float[])v.Clone();
        float norm = maxNorm > 0 ? Optimizers.ClipGradientNorm(eG, maxNorm) : MathF.Sqrt(Reductions.Dot(eG, eG));
        Optimizers.Adam(eTheta, eG, eM, eV, lr, b1, b2, eps, step);
        Optimizers.Polyak(eTheta, eTarget, tau);

        var acc = CpuAccelerator.Accelerator;
        using var parameters = CpuAccelerator.Upload([.. theta, .. target]);
        using var dg = CpuAccelerator.Upload(g);
        using var dm = CpuAccelerator.Upload(m);
        using var dv = CpuAccelerator.Upload(v);
        using var scalars = CpuAccelerator.Upload([0f, norm]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs, float>(
            OptimizerKernels.AdamPolyakKernel)(length, parameters.View, length, dg.View, dm.View, dv.View, scalars.View,
            AdamArgs.For(lr, b1, b2, eps, step, maxNorm), tau);

        float[] got = CpuAccelerator.Download(parameters, 2 * length);
        Tolerance.AssertUlp(got.AsSpan(0, length), eTheta, 4, "θ");
        Tolerance.AssertUlp(got.AsSpan(length), eTarget, 4, "θ′");
        Tolerance.AssertUlp(CpuAccelerator.Download(dm, length), eM, 4, "m");
        Tolerance.AssertUlp(CpuAccelerator.Download(dv, length), eV, 4, "v");
    }

    [TestCase(float.NaN, 1f)]
    [TestCase(0.5f, float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity, float.NaN)]
    public void AdamPolyak_NonFiniteLossOrNorm_LeavesEveryBufferUnchanged(float loss, float norm)
    {
        const int length = 23;
        var random = new Random(11);
        float[] both = CpuAccelerator.Random(random, 2 * length), g = CpuAccelerator.Random(random, length);
        float[] m = CpuAccelerator.Random(random, length, -0.1f, 0.1f), v = CpuAccelerator.Random(random, length, 0f, 0.01f);
        g[3] = float.NaN;
        var acc = CpuAccelerator.Accelerator;
        using var parameters = CpuAccelerator.Upload(both);
        using var dg = CpuAccelerator.Upload(g);
        using var dm = CpuAccelerator.Upload(m);
        using var dv = CpuAccelerator.Upload(v);
        using var scalars = CpuAccelerator.Upload([loss, norm]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs, float>(
            OptimizerKernels.AdamPolyakKernel)(length, parameters.View, length, dg.View, dm.View, dv.View, scalars.View,
            AdamArgs.For(1e-3f, 0.9f, 0.999f, 1e-8f, 1, 0f), 0.01f);
        Assert.Multiple(() =>
        {
            Assert.That(CpuAccelerator.Download(parameters, 2 * length), Is.EqualTo(both), "θ and θ′");
            Assert.That(CpuAccelerator.Download(dm, length), Is.EqualTo(m), "m");
            Assert.That(CpuAccelerator.Download(dv, length), Is.EqualTo(v), "v");
        });
    }

    [Test]
    public void AdamThenPolyak_Separate_MatchFused()
    {
        const int length = 19;
        var random = new Random(5);
        float[] theta = CpuAccelerator.Random(random, length), target = CpuAccelerator.Random(random, length), g = CpuAccelerator.Random(random, length);
        float[] eTheta = (float[])theta.Clone(), eTarget = (float[])target.Clone(), eM = new float[length], eV = new float[length];
        Optimizers.Adam(eTheta, g, eM, eV, 1e-3f, 0.9f, 0.999f, 1e-8f, 1);
        Optimizers.Polyak(eTheta, eTarget, 0.001f);

        var acc = CpuAccelerator.Accelerator;
        using var dTheta = CpuAccelerator.Upload(theta);
        using var dTarget = CpuAccelerator.Upload(target);
        using var dg = CpuAccelerator.Upload(g);
        using var dm = CpuAccelerator.Upload(new float[length]);
        using var dv = CpuAccelerator.Upload(new float[length]);
        using var scalars = CpuAccelerator.Upload(new float[2]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs>(
            OptimizerKernels.AdamKernel)(length, dTheta.View, dg.View, dm.View, dv.View, scalars.View, AdamArgs.For(1e-3f, 0.9f, 0.999f, 1e-8f, 1, 0f));
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(OptimizerKernels.PolyakKernel)(
            length, dTheta.View, dTarget.View, 0.001f);

        Tolerance.AssertUlp(CpuAccelerator.Download(dTheta, length), eTheta, 4, "θ");
        Tolerance.AssertUlp(CpuAccelerator.Download(dTarget, length), eTarget, 4, "θ′");
    }

    [TestCase(1)]
    [TestCase(300)]
    public void TdTargetSquaredErrorAndSum_Random_MatchCpu(int batch)
    {
        const int width = 3;
        var random = new Random(batch);
        float[] r = CpuAccelerator.Random(random, batch), term = new float[batch], head = CpuAccelerator.Random(random, batch * width);
        float[] q = CpuAccelerator.Random(random, batch), dq0 = CpuAccelerator.Random(random, batch);
        for (int b = 0; b < batch; b += 4) term[b] = 1f;
        float[] y = new float[batch];
        for (int b = 0; b < batch; b++) y[b] = r[b] + 0.9f * (1f - term[b]) * head[b * width];
        float[] dq = (float[])dq0.Clone();
        Loss.MeanSquaredErrorBackward(q, y, 1f, dq);
        float loss = Loss.MeanSquaredError(q, y);

        var acc = CpuAccelerator.Accelerator;
        using var dr = CpuAccelerator.Upload(r);
        using var dt = CpuAccelerator.Upload(term);
        using var dh = CpuAccelerator.Upload(head);
        using var dy = CpuAccelerator.Upload(new float[batch]);
        using var dq_ = CpuAccelerator.Upload(q);
        using var ddq = CpuAccelerator.Upload(dq0);
        using var squared = CpuAccelerator.Upload(new float[batch]);
        using var result = CpuAccelerator.Upload(new float[1]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, ArrayView<float>>(
            LossKernels.TdTargetKernel)(batch, dr.View, dt.View, dh.View, width, 0.9f, dy.View);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>>(
            LossKernels.SquaredErrorKernel)(batch, dq_.View, dy.View, 2f / batch, ddq.View, squared.View);
        acc.LoadStreamKernel<ArrayView<float>, int, float, ArrayView<float>>(LossKernels.SumKernel)(
            new KernelConfig(1, LossKernels.ReduceGroupSize), squared.View, batch, 1f / batch, result.View);

        Tolerance.AssertUlp(CpuAccelerator.Download(dy, batch), y, 0, "y");
        Tolerance.AssertUlp(CpuAccelerator.Download(ddq, batch), dq, 2, "dQ");
        // A sum of `batch` non-negative terms in another order: within batch·2⁻²³ relative.
        Tolerance.AssertWithin(CpuAccelerator.Download(result, 1)[0], loss, 2 * batch * Tolerance.Step * loss + Tolerance.Tiny, "loss");
    }
}
