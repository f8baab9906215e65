using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace NafNative.Naf.Gpu;

/// <summary>Opens ILGPU contexts and accelerators for the GPU backend, and lists what ILGPU can see.</summary>
public static class GpuAccelerators
{
    /// <summary>One device ILGPU enumerates: name, ILGPU's accelerator type (Cuda, OpenCL, CPU), memory in bytes
    /// (the CPU accelerator reports long.MaxValue: host memory), multiprocessors, threads per group, warp size.</summary>
    public readonly record struct DeviceInfo(string Name, string Type, long MemoryBytes, int Multiprocessors,
        int MaxThreadsPerGroup, int WarpSize);

    /// <summary>Creates the context and accelerator for <paramref name="device"/>; the caller disposes both
    /// (accelerator first).</summary>
    /// <exception cref="InvalidOperationException">CUDA was asked for and ILGPU finds no CUDA device.</exception>
    public static (Context Context, Accelerator Accelerator) Open(GpuDevice device)
    {
        switch (device)
        {
            case GpuDevice.Cuda:
            {
                var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
                var devices = context.GetCudaDevices();
                if (devices.Count == 0)
                {
                    context.Dispose();
                    throw new InvalidOperationException(
                        "GPU backend: asked for a CUDA device, but ILGPU 1.5.3 found none (it looks for NVIDIA GPUs through the " +
                        "driver library libcuda.so / nvcuda.dll). Check `nvidia-smi` and `naf devices`, or choose --backend cpu " +
                        "(SIMD) or --backend gpu-cpuaccel (ILGPU's CPU accelerator). No fallback is taken for an explicit CUDA request.");
                }
                try
                {
                    return (context, devices[0].CreateAccelerator(context));
                }
                catch
                {
                    context.Dispose();
                    throw;
                }
            }
            case GpuDevice.CpuAccelerator:
            {
                var context = Context.Create(builder => builder.CPU(CPUDeviceKind.Nvidia).EnableAlgorithms());
                return (context, context.CreateCPUAccelerator(0));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(device), device, "GPU backend: device must be Cuda or CpuAccelerator.");
        }
    }

    /// <summary>True when ILGPU finds at least one CUDA device (what <c>--backend auto</c> asks).</summary>
    public static bool CudaAvailable()
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
    }

    /// <summary>Every device ILGPU's default discovery finds (CUDA, OpenCL, CPU).</summary>
    public static IReadOnlyList<DeviceInfo> List()
    {
        var list = new List<DeviceInfo>();
        using var context = Context.Create(builder => builder.Default());
        foreach (var device in context)
            list.Add(new DeviceInfo(device.Name, device.AcceleratorType.ToString(), device.MemorySize, device.NumMultiprocessors,
                device.MaxNumThreadsPerGroup, device.WarpSize));
        return list;
    }

    /// <summary>A short description of an open accelerator for reports: name, type, memory.</summary>
    public static string Describe(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        string memory = accelerator.AcceleratorType == AcceleratorType.CPU ? "host memory"
            : $"{accelerator.MemorySize / (1024.0 * 1024 * 1024):F1} GiB";
        string extra = accelerator is CudaAccelerator cuda ? $", sm_{cuda.Architecture.Major}{cuda.Architecture.Minor}, {accelerator.NumMultiprocessors} SMs" : "";
        return $"{accelerator.Name} ({accelerator.AcceleratorType}, {memory}{extra})";
    }

    /// <summary>FP32 FMA peak in GFLOP/s of a CUDA accelerator from its SM count, clock and FP32 lanes per SM;
    /// null where unknown (CPU accelerator, unknown architecture).</summary>
    public static double? PeakGflops(Accelerator accelerator)
    {
        if (accelerator is not CudaAccelerator cuda) return null;
        var arch = cuda.Architecture;
        // FP32 lanes per SM: Volta/Turing/A100 64; consumer Ampere, Ada, Hopper 128; Blackwell 128.
        int lanes = arch.Major switch
        {
            7 => 64,
            8 => arch.Minor == 0 ? 64 : 128,
            >= 9 => 128,
            _ => 0,
        };
        if (lanes == 0) return null;
        // ILGPU reports ClockRate in MHz (1980 on an H200, matching nvidia-smi's max SM clock), not CUDA's kHz.
        return 2.0 * lanes * cuda.NumMultiprocessors * cuda.ClockRate * 1e6 / 1e9;
    }
}
