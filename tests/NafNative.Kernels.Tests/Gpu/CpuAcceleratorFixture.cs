using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Gpu;

/// <summary>One ILGPU CPU accelerator for every GPU kernel test (creating one and compiling kernels costs ~0.1 s each).</summary>
/// <remarks>The CPU device simulates an NVIDIA GPU (32-wide warps, 1024 threads per group), so the GEMM's 16×16
/// groups and the reductions' 256-thread group run with exactly the launch shapes CUDA uses. It is ~2000× slower than
/// plain loops: keep shapes small.</remarks>
internal static class CpuAccelerator
{
    private static readonly Lazy<(Context Context, Accelerator Accelerator)> Instance = new(() =>
    {
        var context = Context.Create(builder => builder.CPU(CPUDeviceKind.Nvidia).EnableAlgorithms());
        return (context, context.CreateCPUAccelerator(0));
    });

    public static Accelerator Accelerator => Instance.Value.Accelerator;

    public static MemoryBuffer1D<float, Stride1D.Dense> Upload(float[] values)
    {
        var buffer = Accelerator.Allocate1D<float>(Math.Max(1, values.Length));
        if (values.Length > 0) buffer.View.SubView(0, values.Length).CopyFromCPU(values);
        return buffer;
    }

    public static float[] Download(MemoryBuffer1D<float, Stride1D.Dense> buffer, int length)
    {
        Accelerator.Synchronize();
        var values = new float[length];
        if (length > 0) buffer.View.SubView(0, length).CopyToCPU(values);
        return values;
    }

    public static float[] Random(Random random, int length, float low = -1f, float high = 1f)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = low + (float)random.NextDouble() * (high - low);
        return values;
    }

    internal static void Dispose()
    {
        if (!Instance.IsValueCreated) return;
        Instance.Value.Accelerator.Dispose();
        Instance.Value.Context.Dispose();
    }
}

/// <summary>Releases the shared accelerator after the last test of the assembly's Gpu namespace.</summary>
[SetUpFixture]
public sealed class GpuTestsTearDown
{
    [OneTimeTearDown]
    public void DisposeAccelerator() => CpuAccelerator.Dispose();
}
