using ILGPU;

namespace NafNative.Kernels.Gpu;

/// <summary>TD target, mean-squared-error gradient, and the one-group reductions (loss, gradient norm) on the
/// device: the twins of the CPU trainer's target line and of <see cref="Cpu.Loss"/>.</summary>
public static class LossKernels
{
    /// <summary>Threads in the single group of <see cref="LossAndNormKernel"/> and <see cref="SumKernel"/>.</summary>
    public const int ReduceGroupSize = 256;

    /// <summary>y[b] = r[b] + γ·(1 − terminated[b])·targetHead[b·width] (index = b).</summary>
    public static void TdTargetKernel(Index1D index, ArrayView<float> rewards, ArrayView<float> terminated,
        ArrayView<float> targetHead, int width, float discount, ArrayView<float> y)
    {
        y[index] = rewards[index] + discount * (1f - terminated[index]) * targetHead[(long)index.X * width];
    }

    /// <summary>dPrediction[i] += scale·(prediction[i] − target[i]) with scale = 2·dLoss/n (the CPU's
    /// <see cref="Cpu.Loss.MeanSquaredErrorBackward"/>); squared[i] = (prediction[i] − target[i])² for the loss.</summary>
    public static void SquaredErrorKernel(Index1D index, ArrayView<float> prediction, ArrayView<float> target, float scale,
        ArrayView<float> dPrediction, ArrayView<float> squared)
    {
        float difference = prediction[index] - target[index];
        dPrediction[index] += scale * difference;
        squared[index] = difference * difference;
    }

    /// <summary>result[0] = scale·Σ x[0..count) — one group of <see cref="ReduceGroupSize"/> threads (launch grid 1).</summary>
    public static void SumKernel(ArrayView<float> x, int count, float scale, ArrayView<float> result)
    {
        var shared = SharedMemory.Allocate<float>(ReduceGroupSize);
        float sum = BlockSum(shared, x, count, square: false);
        if (Group.IdxX == 0) result[0] = scale * sum;
    }

    /// <summary>scalars[0] = Σ squared / batch (the TD loss), scalars[1] = ‖gradients‖₂ — one group of
    /// <see cref="ReduceGroupSize"/> threads (launch grid 1). Deterministic: a fixed summation order.</summary>
    public static void LossAndNormKernel(ArrayView<float> squared, int batch, ArrayView<float> gradients, int count,
        ArrayView<float> scalars)
    {
        var shared = SharedMemory.Allocate<float>(ReduceGroupSize);
        float loss = BlockSum(shared, squared, batch, square: false);
        float normSquared = BlockSum(shared, gradients, count, square: true);
        if (Group.IdxX == 0)
        {
            scalars[0] = loss / batch;
            scalars[1] = ILGPU.Algorithms.XMath.Sqrt(normSquared);
        }
    }

    // Strided per-thread partial sums, then a shared-memory tree; every thread returns the total.
    private static float BlockSum(ArrayView<float> shared, ArrayView<float> x, int count, bool square)
    {
        int t = Group.IdxX;
        float partial = 0f;
        for (int i = t; i < count; i += ReduceGroupSize)
        {
            float v = x[i];
            partial += square ? v * v : v;
        }
        shared[t] = partial;
        Group.Barrier();
        for (int half = ReduceGroupSize / 2; half > 0; half /= 2)
        {
            if (t < half) shared[t] += shared[t + half];
            Group.Barrier();
        }
        float total = shared[0];
        Group.Barrier();
        return total;
    }
}
