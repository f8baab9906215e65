namespace NafNative.Naf.Gpu;

/// <summary>Which ILGPU accelerator a <see cref="GpuNafTrainer"/> runs on.</summary>
public enum GpuDevice
{
    /// <summary>The first CUDA device ILGPU finds; none is an error, never a silent fallback.</summary>
    Cuda,

    /// <summary>ILGPU's CPU accelerator simulating an NVIDIA device (32-wide warps, 1024 threads per group): the
    /// same kernels and launch shapes as CUDA, ~2000× slower than plain loops. How CI tests the GPU path.</summary>
    CpuAccelerator,
}
