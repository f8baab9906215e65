using ILGPU;
using ILGPU.Runtime.Cuda;
using NUnit.Framework;

namespace NafNative.TestSupport;

/// <summary>Tests that need a CUDA device, or its absence (linked into each test project that has CUDA variants).</summary>
/// <remarks>The probe is the one <c>NafNative.Naf.Gpu.GpuAccelerators.CudaAvailable</c> makes, repeated here because
/// the kernel tests do not reference NafNative.</remarks>
internal static class CudaTestGuard
{
    private static readonly Lazy<bool> Present = new(() =>
    {
        try
        {
            using var context = Context.Create(builder => builder.Cuda());
            return context.GetCudaDevices().Count > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }
    });

    /// <summary>True when ILGPU finds a CUDA device.</summary>
    public static bool Available => Present.Value;

    /// <summary>Ignores the calling test (reported as skipped, with the reason) when there is no CUDA device.</summary>
    public static void RequireCuda()
    {
        if (!Available) Assert.Ignore("CUDA variant: ILGPU found no CUDA device on this machine; it runs where one is present.");
    }

    /// <summary>For tests of what happens without CUDA: inconclusive on a machine that has a device.</summary>
    public static void RequireNoCuda() => Assume.That(Available, Is.False, "this machine has a CUDA device");
}
