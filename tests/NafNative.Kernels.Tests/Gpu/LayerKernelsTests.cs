using ILGPU;
using ILGPU.Runtime;
using NafNative.Kernels.Cpu;
using NafNative.Kernels.Gpu;
using NafNative.Kernels.Tests.Cpu;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Gpu;

/// <summary>Bias broadcast + ReLU, ReLU backward and column sums on the device against the CPU kernels.</summary>
/// <remarks>Element-wise ops are one rounding each on both sides: exact equality (0 ulp). Column sums add the same
/// rows in the same order as <see cref="Reductions.SumColumnsTo"/> but into a fresh partial: rows·2⁻²³·Σ|x| + |dst|.</remarks>
public sealed class LayerKernelsTests(TestDevice device) : DeviceTests(device)
{
    [TestCase(1, 1, 0)]
    [TestCase(7, 5, 1)]
    [TestCase(17, 9, 1)]
    [TestCase(17, 9, 0)]
    public void BiasActivation_Random_MatchesCpu(int rows, int cols, int relu)
    {
        var random = new Random(rows * cols + relu);
        float[] y = TestAccelerator.Random(random, rows * cols), bias = TestAccelerator.Random(random, cols);
        float[] expected = new float[y.Length];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) expected[r * cols + j] = y[r * cols + j] + bias[j];
        if (relu != 0) Activations.Relu(expected, expected);

        var acc = Gpu.Accelerator;
        using var dy = Gpu.Upload(y);
        using var db = Gpu.Upload(bias);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(LayerKernels.BiasActivationKernel)(
            y.Length, dy.View, db.View, cols, relu);

        Tolerance.AssertUlp(Gpu.Download(dy, y.Length), expected, 0, $"bias+act {rows}x{cols} relu={relu}");
    }

    [TestCase(1)]
    [TestCase(37)]
    public void ReluBackward_Random_MatchesCpu(int length)
    {
        var random = new Random(length);
        float[] x = TestAccelerator.Random(random, length), dy = TestAccelerator.Random(random, length), dx = TestAccelerator.Random(random, length);
        if (length > 3) x[3] = 0f;
        float[] expected = (float[])dx.Clone();
        Activations.ReluBackward(x, dy, expected);

        var acc = Gpu.Accelerator;
        using var dX = Gpu.Upload(x);
        using var dDy = Gpu.Upload(dy);
        using var dDx = Gpu.Upload(dx);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(LayerKernels.ReluBackwardKernel)(
            length, dX.View, dDy.View, dDx.View);

        Tolerance.AssertUlp(Gpu.Download(dDx, length), expected, 0, $"relu backward n={length}");
    }

    [TestCase(1, 1)]
    [TestCase(17, 9)]
    [TestCase(5, 33)]
    public void ColumnSums_Random_MatchesCpu(int rows, int cols)
    {
        var random = new Random(rows * 100 + cols);
        float[] x = TestAccelerator.Random(random, rows * cols), dst = TestAccelerator.Random(random, cols);
        float[] expected = (float[])dst.Clone();
        Reductions.SumColumnsTo(x, rows, cols, expected);

        var acc = Gpu.Accelerator;
        using var dX = Gpu.Upload(x);
        using var dDst = Gpu.Upload(dst);
        acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int, int, ArrayView<float>>(LayerKernels.ColumnSumsKernel)(
            cols, dX.View, rows, cols, dDst.View);

        var reference = new double[cols];
        var bound = new double[cols];
        for (int j = 0; j < cols; j++)
        {
            reference[j] = expected[j];
            double magnitude = Math.Abs(dst[j]);
            for (int r = 0; r < rows; r++) magnitude += Math.Abs(x[r * cols + j]);
            bound[j] = 2 * (rows + 1) * Tolerance.Step * magnitude;
        }
        Tolerance.AssertWithin(Gpu.Download(dDst, cols), reference, bound, $"column sums {rows}x{cols}");
    }
}
