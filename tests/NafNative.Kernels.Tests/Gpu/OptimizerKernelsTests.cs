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
public sealed class OptimizerKernelsTests(TestDevice device) : DeviceTests(device)
{
    [TestCase(1, 1L, 0f)]
    [TestCase(37, 3L, 0f)]
    [TestCase(37, 2L, 0.5f)]
    public void AdamPolyak_Random_MatchesCpu(int length, long step, float maxNorm)
    {
        var random = new Random(length + (int)step);
        float[] theta = TestAccelerator.Random(random, length), target = TestAccelerator.Random(random, length);
        float[] g = TestAccelerator.Random(random, length), m = TestAccelerator.Random(random, length, -0.1f, 0.1f);
        float[] v = TestAccelerator.Random(random, length, 0f, 0.01f);
        const float lr = 1e-3f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, tau = 0.01f;

        float[] eTheta = (float[])theta.Clone(), eTarget = (float[])target.Clone(), eG = (float[])g.Clone();
        float[] eM = (float[])m.Clone(), eV = (float[])v.Clone();
        float norm = maxNorm > 0 ? Optimizers.ClipGradientNorm(eG, maxNorm) : MathF.Sqrt(Reductions.Dot(eG, eG));
        Optimizers.Adam(eTheta, eG, eM, eV, lr, b1, b2, eps, step);
        Optimizers.Polyak(eTheta, eTarget, tau);

        var acc = Gpu.Accelerator;
        using var parameters = Gpu.Upload([.. theta, .. target]);
        using var dg = Gpu.Upload(g);
        using var dm = Gpu.Upload(m);
        using var dv = Gpu.Upload(v);
        using var scalars = Gpu.Upload([0f, norm]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs, float>(
            OptimizerKernels.AdamPolyakKernel)(length, parameters.View, length, dg.View, dm.View, dv.View, scalars.View,
            AdamArgs.For(lr, b1, b2, eps, step, maxNorm), tau);

        float[] got = Gpu.Download(parameters, 2 * length);
        Tolerance.AssertUlp(got.AsSpan(0, length), eTheta, 4, "θ");
        Tolerance.AssertUlp(got.AsSpan(length), eTarget, 4, "θ′");
        Tolerance.AssertUlp(Gpu.Download(dm, length), eM, 4, "m");
        Tolerance.AssertUlp(Gpu.Download(dv, length), eV, 4, "v");
    }

    [TestCase(float.NaN, 1f)]
    [TestCase(0.5f, float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity, float.NaN)]
    public void AdamPolyak_NonFiniteLossOrNorm_LeavesEveryBufferUnchanged(float loss, float norm)
    {
        const int length = 23;
        var random = new Random(11);
        float[] both = TestAccelerator.Random(random, 2 * length), g = TestAccelerator.Random(random, length);
        float[] m = TestAccelerator.Random(random, length, -0.1f, 0.1f), v = TestAccelerator.Random(random, length, 0f, 0.01f);
        g[3] = float.NaN;
        var acc = Gpu.Accelerator;
        using var parameters = Gpu.Upload(both);
        using var dg = Gpu.Upload(g);
        using var dm = Gpu.Upload(m);
        using var dv = Gpu.Upload(v);
        using var scalars = Gpu.Upload([loss, norm]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs, float>(
            OptimizerKernels.AdamPolyakKernel)(length, parameters.View, length, dg.View, dm.View, dv.View, scalars.View,
            AdamArgs.For(1e-3f, 0.9f, 0.999f, 1e-8f, 1, 0f), 0.01f);
        Assert.Multiple(() =>
        {
            Assert.That(Gpu.Download(parameters, 2 * length), Is.EqualTo(both), "θ and θ′");
            Assert.That(Gpu.Download(dm, length), Is.EqualTo(m), "m");
            Assert.That(Gpu.Download(dv, length), Is.EqualTo(v), "v");
        });
    }

    [Test]
    public void AdamThenPolyak_Separate_MatchFused()
    {
        const int length = 19;
        var random = new Random(5);
        float[] theta = TestAccelerator.Random(random, length), target = TestAccelerator.Random(random, length), g = TestAccelerator.Random(random, length);
        float[] eTheta = (float[])theta.Clone(), eTarget = (float[])target.Clone(), eM = new float[length], eV = new float[length];
        Optimizers.Adam(eTheta, g, eM, eV, 1e-3f, 0.9f, 0.999f, 1e-8f, 1);
        Optimizers.Polyak(eTheta, eTarget, 0.001f);

        var acc = Gpu.Accelerator;
        using var dTheta = Gpu.Upload(theta);
        using var dTarget = Gpu.Upload(target);
        using var dg = Gpu.Upload(g);
        using var dm = Gpu.Upload(new float[length]);
        using var dv = Gpu.Upload(new float[length]);
        using var scalars = Gpu.Upload(new float[2]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs>(
            OptimizerKernels.AdamKernel)(length, dTheta.View, dg.View, dm.View, dv.View, scalars.View, AdamArgs.For(1e-3f, 0.9f, 0.999f, 1e-8f, 1, 0f));
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(OptimizerKernels.PolyakKernel)(
            length, dTheta.View, dTarget.View, 0.001f);

        Tolerance.AssertUlp(Gpu.Download(dTheta, length), eTheta, 4, "θ");
        Tolerance.AssertUlp(Gpu.Download(dTarget, length), eTarget, 4, "θ′");
    }

    [TestCase(1)]
    [TestCase(300)]
    public void TdTargetSquaredErrorAndSum_Random_MatchCpu(int batch)
    {
        const int width = 3;
        var random = new Random(batch);
        float[] r = TestAccelerator.Random(random, batch), term = new float[batch], head = TestAccelerator.Random(random, batch * width);
        float[] q = TestAccelerator.Random(random, batch), dq0 = TestAccelerator.Random(random, batch);
        for (int b = 0; b < batch; b += 4) term[b] = 1f;
        float[] y = new float[batch];
        for (int b = 0; b < batch; b++) y[b] = r[b] + 0.9f * (1f - term[b]) * head[b * width];
        float[] dq = (float[])dq0.Clone();
        Loss.MeanSquaredErrorBackward(q, y, 1f, dq);
        float loss = Loss.MeanSquaredError(q, y);

        var acc = Gpu.Accelerator;
        using var dr = Gpu.Upload(r);
        using var dt = Gpu.Upload(term);
        using var dh = Gpu.Upload(head);
        using var dy = Gpu.Upload(new float[batch]);
        using var dq_ = Gpu.Upload(q);
        using var ddq = Gpu.Upload(dq0);
        using var squared = Gpu.Upload(new float[batch]);
        using var result = Gpu.Upload(new float[1]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, ArrayView<float>>(
            LossKernels.TdTargetKernel)(batch, dr.View, dt.View, dh.View, width, 0.9f, dy.View);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, float, ArrayView<float>, ArrayView<float>>(
            LossKernels.SquaredErrorKernel)(batch, dq_.View, dy.View, 2f / batch, ddq.View, squared.View);
        acc.LoadStreamKernel<ArrayView<float>, int, float, ArrayView<float>>(LossKernels.SumKernel)(
            new KernelConfig(1, LossKernels.ReduceGroupSize), squared.View, batch, 1f / batch, result.View);

        Tolerance.AssertUlp(Gpu.Download(dy, batch), y, 0, "y");
        Tolerance.AssertUlp(Gpu.Download(ddq, batch), dq, 2, "dQ");
        // A sum of `batch` non-negative terms in another order: within batch·2⁻²³ relative.
        Tolerance.AssertWithin(Gpu.Download(result, 1)[0], loss, 2 * batch * Tolerance.Step * loss + Tolerance.Tiny, "loss");
    }
}
