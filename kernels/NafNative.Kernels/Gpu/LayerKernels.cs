using ILGPU;

namespace NafNative.Kernels.Gpu;

/// <summary>Element-wise layer kernels: bias broadcast with optional ReLU, ReLU backward, column sums (bias
/// gradients). The trainer folds all three into its GEMM epilogues (<see cref="GemmArgs"/>); these stand-alone
/// forms are the unfused twins the fused path is tested against, and serve callers with other layer shapes.</summary>
/// <remarks>Auto-grouped, one thread per element (per column for the sums).</remarks>
public static class LayerKernels
{
    /// <summary>y[r, j] = act(y[r, j] + bias[j]) over a rows × cols matrix (index = r·cols + j); relu = 1 applies max(·, 0).</summary>
    public static void BiasActivationKernel(Index1D index, ArrayView<float> y, ArrayView<float> bias, int cols, int relu)
    {
        float value = y[index] + bias[index % cols];
        y[index] = relu != 0 && value < 0f ? 0f : value;
    }

    /// <summary>dx += dy where x > 0 (the CPU's <see cref="Cpu.Activations.ReluBackward"/>).</summary>
    public static void ReluBackwardKernel(Index1D index, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx)
    {
        if (x[index] > 0f) dx[index] += dy[index];
    }

    /// <summary>dst[j] += Σ_r x[r, j] over a rows × cols matrix (index = j; the CPU's
    /// <see cref="Cpu.Reductions.SumColumnsTo"/>). Consecutive threads read consecutive columns of each row.</summary>
    public static void ColumnSumsKernel(Index1D index, ArrayView<float> x, int rows, int cols, ArrayView<float> dst)
    {
        float sum = 0f;
        for (int r = 0; r < rows; r++) sum += x[(long)r * cols + index.X];
        dst[index] += sum;
    }
}
