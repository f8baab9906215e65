using ILGPU;
using ILGPU.Runtime;
using NafNative.Kernels.Cpu;
using NafNative.Kernels.Gpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Gpu;

/// <summary>The device NAF advantage (forward, backward, and the fused TD step) against <see cref="NafAdvantage"/>
/// and the CPU trainer's TD target, MSE and MSE-backward lines.</summary>
/// <remarks>
/// Inputs as in the CPU suite: V and L entries in [−1, 1), μ pre-activations in [−2, 2), actions in [−1, 1).
/// Tolerance: |gpu − cpu| ≤ 1e-5·(1 + |cpu|). Justification: the device side uses ILGPU.Algorithms' XMath.Tanh/Exp
/// (a few ulp from MathF's) and plain multiply-adds where the CPU uses FMA; the CPU suite bounds each side's error by
/// (n + 8)·2⁻²³·S with S the magnitude of the summed terms, and for n ≤ 7 and these inputs S ≤ ~5, so two sides
/// differ by ≲ 2·15·1.2e-7·5 ≈ 2e-5 in the worst case and by ~1e-6 in practice (measured max 4e-7 here).
/// </remarks>
public sealed class NafKernelsTests(TestDevice device) : DeviceTests(device)
{
    private const double RelativeTolerance = 1e-5;

    [TestCase(1, 1)]
    [TestCase(5, 3)]
    [TestCase(9, 7)]
    public void ForwardAndBackward_Random_MatchCpu(int batch, int n)
    {
        var (head, actions) = Inputs(new Random(batch * 31 + n), batch, n);
        int width = NafAdvantage.HeadWidth(n);
        float[] q = new float[batch], saved = new float[batch * 2 * n];
        NafAdvantage.Forward(head, actions, batch, n, q, saved);
        float[] dq = TestAccelerator.Random(new Random(n), batch);
        float[] dHead0 = TestAccelerator.Random(new Random(batch), batch * width);
        float[] dHead = (float[])dHead0.Clone();
        NafAdvantage.Backward(head, actions, saved, dq, batch, n, dHead);

        var acc = Gpu.Accelerator;
        using var dh = Gpu.Upload(head);
        using var du = Gpu.Upload(actions);
        using var dqOut = Gpu.Upload(new float[batch]);
        using var ds = Gpu.Upload(new float[saved.Length]);
        using var ddq = Gpu.Upload(dq);
        using var dgh = Gpu.Upload(dHead0);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, ArrayView<float>>(
            NafKernels.AdvantageForwardKernel)(batch, dh.View, du.View, n, dqOut.View, ds.View);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>>(
            NafKernels.AdvantageBackwardKernel)(batch, dh.View, du.View, ds.View, ddq.View, n, dgh.View);

        AssertClose(Gpu.Download(dqOut, batch), q, "q");
        AssertClose(Gpu.Download(ds, saved.Length), saved, "saved μ, z");
        AssertClose(Gpu.Download(dgh, dHead.Length), dHead, "dHead");
    }

    [TestCase(1, 1)]
    [TestCase(6, 3)]
    [TestCase(11, 7)]
    public void TdStep_Random_MatchesCpuTargetLossAndBackward(int batch, int n)
    {
        const int obs = 4;
        const float discount = 0.99f;
        var random = new Random(batch * 17 + n);
        var (online, actions) = Inputs(random, batch, n);
        var (target, _) = Inputs(random, batch, n);
        int width = NafAdvantage.HeadWidth(n);
        float[] rewards = TestAccelerator.Random(random, batch), terminated = new float[batch];
        for (int b = 0; b < batch; b += 3) terminated[b] = 1f;

        // The CPU trainer's lines: y, Q, loss, dQ, dHead.
        float[] y = new float[batch], q = new float[batch], saved = new float[batch * 2 * n], dq = new float[batch], dHead = new float[batch * width];
        for (int b = 0; b < batch; b++) y[b] = rewards[b] + discount * (1f - terminated[b]) * target[b * width];
        NafAdvantage.Forward(online, actions, batch, n, q, saved);
        float loss = Loss.MeanSquaredError(q, y);
        Loss.MeanSquaredErrorBackward(q, y, 1f, dq);
        NafAdvantage.Backward(online, actions, saved, dq, batch, n, dHead);

        // Device layout: head rows [online; target], batch [x | x′ | u | r | terminated].
        float[] batchData = [.. TestAccelerator.Random(random, 2 * batch * obs), .. actions, .. rewards, .. terminated];
        var acc = Gpu.Accelerator;
        using var dh = Gpu.Upload([.. online, .. target]);
        using var dBatch = Gpu.Upload(batchData);
        using var ds = Gpu.Upload(new float[saved.Length]);
        using var dSquared = Gpu.Upload(new float[batch]);
        using var dgh = Gpu.Upload(TestAccelerator.Random(random, batch * width)); // overwritten, not accumulated
        using var scalars = Gpu.Upload(new float[2]);
        using var gradients = Gpu.Upload([3f, 4f]);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int, int, float, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            NafKernels.TdStepKernel)(batch, dh.View, dBatch.View, batch, obs, n, discount, ds.View, dSquared.View, dgh.View);
        acc.LoadStreamKernel<ArrayView<float>, int, ArrayView<float>, int, ArrayView<float>>(LossKernels.LossAndNormKernel)(
            new KernelConfig(1, LossKernels.ReduceGroupSize), dSquared.View, batch, gradients.View, 2, scalars.View);

        AssertClose(Gpu.Download(dgh, dHead.Length), dHead, "dHead");
        float[] lossAndNorm = Gpu.Download(scalars, 2);
        AssertClose([lossAndNorm[0]], [loss], "loss");
        Assert.That(lossAndNorm[1], Is.EqualTo(5f), "‖(3, 4)‖ = 5 exactly");
    }

    internal static (float[] Head, float[] Actions) Inputs(Random random, int batch, int n)
    {
        int width = NafAdvantage.HeadWidth(n);
        float[] head = TestAccelerator.Random(random, batch * width);
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < n; i++) head[b * width + 1 + i] = 2f * head[b * width + 1 + i];
        return (head, TestAccelerator.Random(random, batch * n));
    }

    private static void AssertClose(float[] got, float[] expected, string context)
    {
        Assert.That(got, Has.Length.EqualTo(expected.Length), context);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < got.Length; i++)
        {
            double excess = Math.Abs(got[i] - expected[i]) / (1 + Math.Abs(expected[i]));
            if (!(excess <= worst)) { worst = excess; at = i; }
        }
        Assert.That(worst, Is.LessThanOrEqualTo(RelativeTolerance),
            $"{context}: worst [{at}] got {(at >= 0 ? got[at] : 0)}, cpu {(at >= 0 ? expected[at] : 0)}");
    }
}
