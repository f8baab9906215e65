using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using NafNative.TestSupport;
using NUnit.Framework;

namespace NafNative.Kernels.Tests.Gpu;

/// <summary>The devices each GPU kernel test runs on (one fixture per device).</summary>
public enum TestDevice
{
    /// <summary>ILGPU's CPU accelerator simulating an NVIDIA GPU: runs everywhere.</summary>
    CpuAccelerator,

    /// <summary>The first CUDA device: the test is ignored (skipped, with the reason) where there is none.</summary>
    Cuda,
}

/// <summary>One ILGPU accelerator per device for every GPU kernel test (creating one and compiling kernels costs
/// ~0.1 s each), with upload and download helpers.</summary>
/// <remarks>The CPU device simulates an NVIDIA GPU (32-wide warps, 1024 threads per group), so the GEMM's 16×16
/// groups and the reductions' 256-thread group run with exactly the launch shapes CUDA uses. It is ~2000× slower than
/// plain loops: keep shapes small.</remarks>
internal sealed class TestAccelerator
{
    private static readonly Lazy<TestAccelerator> CpuInstance = new(() =>
    {
        var context = Context.Create(builder => builder.CPU(CPUDeviceKind.Nvidia).EnableAlgorithms());
        return new TestAccelerator(context, context.CreateCPUAccelerator(0));
    });

    private static readonly Lazy<TestAccelerator> CudaInstance = new(() =>
    {
        var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        return new TestAccelerator(context, context.CreateCudaAccelerator(0));
    });

    private readonly Context _context;

    private TestAccelerator(Context context, Accelerator accelerator)
    {
        _context = context;
        Accelerator = accelerator;
    }

    /// <summary>The shared accelerator of <paramref name="device"/>; for CUDA without a device, ignores the test.</summary>
    public static TestAccelerator Get(TestDevice device)
    {
        if (device == TestDevice.CpuAccelerator) return CpuInstance.Value;
        CudaTestGuard.RequireCuda();
        return CudaInstance.Value;
    }

    public Accelerator Accelerator { get; }

    public MemoryBuffer1D<float, Stride1D.Dense> Upload(float[] values)
    {
        var buffer = Accelerator.Allocate1D<float>(Math.Max(1, values.Length));
        if (values.Length > 0) buffer.View.SubView(0, values.Length).CopyFromCPU(values);
        return buffer;
    }

    public float[] Download(MemoryBuffer1D<float, Stride1D.Dense> buffer, int length)
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

    internal static void DisposeAll()
    {
        foreach (var instance in new[] { CpuInstance, CudaInstance })
        {
            if (!instance.IsValueCreated) continue;
            instance.Value.Accelerator.Dispose();
            instance.Value._context.Dispose();
        }
    }
}

/// <summary>The base of every GPU kernel suite: one fixture per <see cref="TestDevice"/> (the attributes are
/// inherited), each test getting that device's accelerator in <see cref="Gpu"/>, or ignored where CUDA is absent.</summary>
[TestFixture(TestDevice.CpuAccelerator)]
[TestFixture(TestDevice.Cuda)]
public abstract class DeviceTests(TestDevice device)
{
    private protected TestAccelerator Gpu { get; private set; } = null!;

    [SetUp]
    public void OpenDevice() => Gpu = TestAccelerator.Get(device);
}

/// <summary>Releases the shared accelerators after the last test of the assembly's Gpu namespace.</summary>
[SetUpFixture]
public sealed class GpuTestsTearDown
{
    [OneTimeTearDown]
    public void DisposeAccelerators() => TestAccelerator.DisposeAll();
}
